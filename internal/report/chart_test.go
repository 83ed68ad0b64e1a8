package report

import (
	"bytes"
	"image"
	"image/png"
	"sync"
	"testing"
)

func decodeChart(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode PNG: %v", err)
	}
	return img
}

// differingPixels counts the pixels where a and b differ.
func differingPixels(a, b image.Image) int {
	n := 0
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				n++
			}
		}
	}
	return n
}

func TestChartSize(t *testing.T) {
	tests := []struct {
		name string
		s    Summary
	}{
		{name: "full", s: Build(sampleInput(t))},
		{name: "empty trend", s: Build(Input{Period: march2026})},
		{name: "zero summary, no trend at all", s: Summary{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Chart(tt.s)
			if err != nil {
				t.Fatalf("Chart: %v", err)
			}
			img := decodeChart(t, b)
			if got := img.Bounds().Size(); got != (image.Point{X: ChartWidth, Y: ChartHeight}) {
				t.Errorf("size = %v, want %dx%d", got, ChartWidth, ChartHeight)
			}
		})
	}
}

func TestChartShowsTheData(t *testing.T) {
	base := Build(sampleInput(t))
	render := func(s Summary) image.Image {
		b, err := Chart(s)
		if err != nil {
			t.Fatalf("Chart: %v", err)
		}
		return decodeChart(t, b)
	}
	withTrend := func(edit func(p []MonthPoint)) Summary {
		s := base
		s.Trend = append([]MonthPoint(nil), base.Trend...)
		edit(s.Trend)
		return s
	}
	baseImg := render(base)
	tests := []struct {
		name string
		s    Summary
	}{
		{name: "a different lean", s: withTrend(func(p []MonthPoint) { p[5].Score, p[5].HasScore = -0.6, true })},
		{name: "a different wellbeing", s: withTrend(func(p []MonthPoint) { p[0].Wellbeing = 0.9 })},
		{name: "a gap is not a zero", s: withTrend(func(p []MonthPoint) { p[1].HasScore, p[1].Score = true, 0 })},
		{name: "no data at all", s: Build(Input{Period: march2026})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A point and its line segments are at least a few hundred pixels.
			if n := differingPixels(baseImg, render(tt.s)); n < 100 {
				t.Errorf("%d pixels differ from the base chart, want at least 100", n)
			}
		})
	}
	t.Run("same data, same image", func(t *testing.T) {
		if n := differingPixels(baseImg, render(base)); n != 0 {
			t.Errorf("%d pixels differ between two renders of the same summary, want 0", n)
		}
	})
}

// TestChartConcurrent renders two summaries from many goroutines at once; every result must
// match its serial render, so pooled rasters never leak one chart into another.
func TestChartConcurrent(t *testing.T) {
	summaries := []Summary{Build(sampleInput(t)), Build(Input{Period: march2026})}
	want := make([][]byte, len(summaries))
	for i, s := range summaries {
		b, err := Chart(s)
		if err != nil {
			t.Fatalf("Chart: %v", err)
		}
		want[i] = b
	}
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 3; k++ {
				i := (g + k) % len(summaries)
				b, err := Chart(summaries[i])
				if err != nil {
					errs <- err.Error()
					return
				}
				if !bytes.Equal(b, want[i]) {
					errs <- "a concurrent render differs from the serial one"
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestChartPanels pins that wellbeing has a panel of its own below the lean (changing wellbeing
// changes nothing in the upper half, where the lean is) and that the balanced band is drawn.
func TestChartPanels(t *testing.T) {
	base := Build(sampleInput(t))
	render := func(s Summary) image.Image {
		b, err := Chart(s)
		if err != nil {
			t.Fatalf("Chart: %v", err)
		}
		return decodeChart(t, b)
	}
	changed := base
	changed.Trend = append([]MonthPoint(nil), base.Trend...)
	for i := range changed.Trend {
		changed.Trend[i].Wellbeing, changed.Trend[i].HasWellbeing = -0.9, true
	}
	a, b := render(base), render(changed)
	upper, lower := 0, 0
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				if y < r.Dy()/2 {
					upper++
				} else {
					lower++
				}
			}
		}
	}
	if upper != 0 || lower < 100 {
		t.Errorf("changing wellbeing changed %d pixels in the upper half and %d in the lower, want 0 and at least 100", upper, lower)
	}
	grey := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if cr, cg, cb, _ := a.At(x, y).RGBA(); cr>>8 == 0xee && cg>>8 == 0xee && cb>>8 == 0xee {
				grey++
			}
		}
	}
	if grey < 5000 {
		t.Errorf("got %d pixels of the balanced band's grey, want the band drawn across the lean panel", grey)
	}
}
