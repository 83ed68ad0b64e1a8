package report

import (
	"math"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reflect-bot/reflect/internal/prompts"
)

// benchPeople is how many people BenchmarkSummaries summarises per op (the 10,000-person
// workspace the app is sized for); -short uses benchPeopleShort.
const (
	benchPeople      = 10000
	benchPeopleShort = 500
)

var benchZones = []string{"UTC", "America/Los_Angeles", "Europe/Berlin", "Asia/Tokyo", "Australia/Sydney", "America/Sao_Paulo"}

// synthetic is one person's last twelve months of weekly prompts up to the end of March 2026,
// generated from a seeded generator so every run sees the same 10,000 people: a personal lean
// bias, a wellbeing level that moves a little with the lean, about one prompt in seven missed,
// a third of the answers typed, and an occasional assessment.
func synthetic(person int, zones []*time.Location) Input {
	r := rand.New(rand.NewPCG(uint64(person), 0x5eed))
	loc := zones[person%len(zones)]
	bias := r.Float64()*1.2 - 0.6
	level := r.Float64()*1.2 - 0.4
	dims := prompts.LeanDimensions()
	in := Input{
		Period:      march2026,
		Loc:         loc,
		Answers:     make([]Answer, 0, 104),
		Deliveries:  make([]Delivery, 0, 52),
		Assessments: make([]Assessment, 0, 2),
	}
	first := time.Date(2025, 4, 7, 9, 0, 0, 0, loc) // a Monday
	for w := 0; w < 52; w++ {
		at := first.AddDate(0, 0, 7*w)
		answered := r.Float64() < 0.86
		in.Deliveries = append(in.Deliveries, Delivery{Occurrence: at, Answered: answered})
		if !answered {
			continue
		}
		at = at.Add(time.Duration(r.IntN(48*60)) * time.Minute)
		lean := clamp(bias + r.NormFloat64()*0.5)
		a := Answer{At: at, Dimension: dims[w%len(dims)]}
		if r.IntN(3) == 0 {
			a.Reading = prompts.Reading{Lean: lean, Weight: prompts.TextWeight}
		} else {
			a.Reading = prompts.Reading{Lean: math.Round(lean*2) / 2, Weight: 1} // an option: lean/2
		}
		well := math.Round(clamp(level+0.3*lean+r.NormFloat64()*0.3)*2) / 2
		in.Answers = append(in.Answers, a, Answer{At: at.Add(time.Minute), Dimension: prompts.Wellbeing,
			Reading: prompts.Reading{Wellbeing: &well}})
		if r.IntN(40) == 0 {
			in.Assessments = append(in.Assessments, Assessment{At: at.Add(time.Hour), Lean: clamp(bias + r.NormFloat64()*0.3)})
		}
	}
	return in
}

func clamp(f float64) float64 { return math.Max(-1, math.Min(1, f)) }

func benchLocations(b *testing.B) []*time.Location {
	zones := make([]*time.Location, len(benchZones))
	for i, name := range benchZones {
		zones[i] = mustZone(b, name)
	}
	return zones
}

// heapPeak samples the live heap every millisecond until stopped, through runtime/metrics, which
// does not stop the world the way runtime.ReadMemStats does.
type heapPeak struct {
	peak atomic.Uint64
	stop chan struct{}
	done sync.WaitGroup
}

func startHeapPeak() *heapPeak {
	h := &heapPeak{stop: make(chan struct{})}
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	h.done.Add(1)
	go func() {
		defer h.done.Done()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > h.peak.Load() {
				h.peak.Store(v)
			}
			select {
			case <-h.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return h
}

func (h *heapPeak) Stop() uint64 {
	close(h.stop)
	h.done.Wait()
	return h.peak.Load()
}

// BenchmarkSummaries builds and charts the monthly summary of 10,000 people per op, one worker
// per CPU, as a monthly run would. It reports people/s, the peak live heap and the bytes
// allocated per person. Run it with:
//
//	go test -run '^$' -bench Summaries -benchtime 1x ./internal/report/
func BenchmarkSummaries(b *testing.B) {
	people := benchPeople
	if testing.Short() {
		people = benchPeopleShort
	}
	zones := benchLocations(b)
	workers := runtime.GOMAXPROCS(0)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	peak := startHeapPeak()
	var pngBytes atomic.Int64
	start := time.Now()
	b.ResetTimer()
	for b.Loop() {
		next := atomic.Int64{}
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					p := int(next.Add(1)) - 1
					if p >= people {
						return
					}
					s := Build(synthetic(p, zones))
					png, err := Chart(s)
					if err != nil {
						errs <- err
						return
					}
					_ = s.Text()
					pngBytes.Add(int64(len(png)))
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	elapsed := time.Since(start)
	peakHeap := peak.Stop()
	runtime.ReadMemStats(&after)

	total := float64(people) * float64(b.N)
	perSecond := total / elapsed.Seconds()
	allocPerPerson := float64(after.TotalAlloc-before.TotalAlloc) / total
	b.ReportMetric(perSecond, "people/s")
	b.ReportMetric(float64(peakHeap)/(1<<20), "peak-heap-MB")
	b.ReportMetric(allocPerPerson/(1<<10), "alloc-KB/person")
	b.ReportMetric(float64(pngBytes.Load())/total, "png-bytes/person")
	b.Logf("%d people × %d: %v in all, %.0f people/s, %.2f ms a person per worker, peak live heap %.1f MB, %.0f KB allocated a person, PNG %.1f KB on average, %d workers (GOMAXPROCS), %s",
		people, b.N, elapsed.Round(time.Millisecond), perSecond, float64(workers)*1000/perSecond,
		float64(peakHeap)/(1<<20), allocPerPerson/(1<<10), float64(pngBytes.Load())/total/1024, workers, runtime.Version())
}

// BenchmarkSummaryOnePerson is one person's Build, Text and Chart, on one goroutine.
func BenchmarkSummaryOnePerson(b *testing.B) {
	in := synthetic(42, benchLocations(b))
	b.ReportAllocs()
	for b.Loop() {
		s := Build(in)
		_ = s.Text()
		if _, err := Chart(s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuild is Build alone, to tell the numbers from the drawing.
func BenchmarkBuild(b *testing.B) {
	in := synthetic(42, benchLocations(b))
	b.ReportAllocs()
	for b.Loop() {
		_ = Build(in)
	}
}

// BenchmarkChart is Chart alone.
func BenchmarkChart(b *testing.B) {
	s := Build(synthetic(42, benchLocations(b)))
	b.ReportAllocs()
	var size int
	for b.Loop() {
		png, err := Chart(s)
		if err != nil {
			b.Fatal(err)
		}
		size = len(png)
	}
	b.ReportMetric(float64(size), "png-bytes")
}
