package report

import (
	"bytes"
	"image"
	"image/png"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"gonum.org/v1/plot/vg/vgimg"
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

// chartFromScratch draws s's chart with nothing cached: the frame, the data and the legend, in
// that order, on a fresh raster.
func chartFromScratch(s Summary) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, ChartWidth, ChartHeight))
	canvas := vgimg.NewWith(vgimg.UseImageWithContext(img, newContext(img)), vgimg.UseDPI(chartDPI))
	c := newLayout(canvas, len(s.Trend)).on(canvas)
	drawFrame(c, s.Trend)
	drawData(c, s.Trend)
	drawLegend(c)
	return img
}

// TestChartTemplateSamePixels pins that starting each chart from the cached template of its
// months draws exactly the pixels of drawing it all from scratch, for trends over different
// months charted in turn (so a template is never reused for other months), with gaps, extremes
// and no data at all.
func TestChartTemplateSamePixels(t *testing.T) {
	base := Build(sampleInput(t))
	in := sampleInput(t)
	in.Period = Month{2025, time.November}
	other := Build(in)
	extremes := base
	extremes.Trend = append([]MonthPoint(nil), base.Trend...)
	for i := range extremes.Trend {
		extremes.Trend[i].Score, extremes.Trend[i].HasScore = float64(1-2*(i%2)), i != 2
		extremes.Trend[i].Wellbeing, extremes.Trend[i].HasWellbeing = float64(2*(i%2)-1), i != 4
	}
	zones := benchLocations(t)
	cases := []struct {
		name string
		s    Summary
	}{
		{"March 2026", base},
		{"November 2025", other},
		{"extremes and gaps", extremes},
		{"no data", Build(Input{Period: march2026})},
		{"no trend", Summary{}},
		{"synthetic 1", Build(synthetic(1, zones))},
		{"synthetic 2", Build(synthetic(2, zones))},
		{"November 2025 again", other},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Chart(tc.s)
			if err != nil {
				t.Fatalf("Chart: %v", err)
			}
			if n := differingPixels(chartFromScratch(tc.s), decodeChart(t, b)); n != 0 {
				t.Errorf("%d pixels differ from the chart drawn from scratch, want 0", n)
			}
		})
	}
}

// TestEncodePNG round-trips images through encodePNG: an opaque one comes back as the same
// pixels, and one with transparency (which goes through image/png) too.
func TestEncodePNG(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	noisy := func(opaque bool) *image.RGBA {
		img := image.NewRGBA(image.Rect(0, 0, 37, 23))
		for i := range img.Pix {
			img.Pix[i] = byte(r.IntN(256))
			if i%4 == 3 {
				img.Pix[i] = 0xff
			}
		}
		if !opaque {
			for i := 3; i < len(img.Pix); i += 40 {
				img.Pix[i-3], img.Pix[i-2], img.Pix[i-1], img.Pix[i] = 0, 0, 0, 0
			}
		}
		return img
	}
	for _, tc := range []struct {
		name string
		img  *image.RGBA
	}{{"opaque", noisy(true)}, {"with transparency", noisy(false)}} {
		t.Run(tc.name, func(t *testing.T) {
			buf := bytes.NewBufferString("kept")
			if err := encodePNG(buf, tc.img); err != nil {
				t.Fatalf("encodePNG: %v", err)
			}
			if !bytes.HasPrefix(buf.Bytes(), []byte("kept")) {
				t.Fatalf("encodePNG did not append to what the buffer held")
			}
			got, err := png.Decode(bytes.NewReader(buf.Bytes()[len("kept"):]))
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			n := 0
			for y := range tc.img.Rect.Dy() {
				for x := range tc.img.Rect.Dx() {
					r0, g0, b0, a0 := tc.img.At(x, y).RGBA()
					r1, g1, b1, a1 := got.At(x, y).RGBA()
					if r0 != r1 || g0 != g1 || b0 != b1 || a0 != a1 {
						n++
					}
				}
			}
			if n != 0 {
				t.Errorf("%d pixels differ after the round trip, want 0", n)
			}
		})
	}
}
