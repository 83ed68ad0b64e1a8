package report

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"sync"

	"git.sr.ht/~sbinet/gg"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// The chart's size: about Slack's preview size, so nothing is scaled down into illegibility.
const (
	ChartWidth  = 800 // pixels
	ChartHeight = 400 // pixels
	chartDPI    = 96
)

// The chart's look: sizes in points (vg's unit; at 96 dpi a 12 pt font is 16 px high, and no
// text here is smaller than 13 pt), colours, and the fixed labels.
var (
	legendWidth  = vg.Points(120)
	chartFont    = font.Font{Typeface: "Liberation", Variant: "Sans"}
	titleSize    = vg.Points(15)
	labelSize    = vg.Points(13)
	leanColor    = color.RGBA{R: 0x1f, G: 0x4e, B: 0x9c, A: 0xff} // dark blue
	wellColor    = color.RGBA{R: 0x1b, G: 0x8a, B: 0x5a, A: 0xff} // green
	leadBand     = color.RGBA{R: 0xe8, G: 0xf0, B: 0xfb, A: 0xff}
	manageBand   = color.RGBA{R: 0xfb, G: 0xf1, B: 0xe6, A: 0xff}
	axisGrey     = color.RGBA{R: 0x55, G: 0x55, B: 0x55, A: 0xff}
	gridGrey     = color.RGBA{R: 0xdd, G: 0xdd, B: 0xdd, A: 0xff}
	wellDashes   = []vg.Length{vg.Points(6), vg.Points(3)}
	dodge        = 0.07 // months, between the lean and the wellbeing point of one month
	wellbeingKey = "wellbeing:\n+1 sustainable\n\u22121 strained"
	leanTicks    = plot.ConstantTicks{{Value: 1, Label: "+1"}, {Value: 0.5, Label: "leadership"}, {Value: 0, Label: "0"}, {Value: -0.5, Label: "management"}, {Value: -1, Label: "\u22121"}}
	textHandler  = plot.DefaultTextHandler
	pngEncoder   = png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &encoderPool{}}
	chartBufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}
)

// imagePool recycles the 800×400 raster (1.3 MB): vgimg would otherwise allocate one and gg copy
// it into a second for every chart. NewWith paints the background over all of it, so a recycled
// image starts clean.
var imagePool = sync.Pool{New: func() any { return image.NewRGBA(image.Rect(0, 0, ChartWidth, ChartHeight)) }}

// newContext prepares a gg context drawing straight onto img, set up as vgimg.New sets up its own
// (butt line caps, y axis pointing up), so UseImageWithContext draws exactly as New would.
func newContext(img *image.RGBA) *gg.Context {
	ctx := gg.NewContextForRGBA(img)
	ctx.SetLineCapButt()
	ctx.InvertY()
	return ctx
}

// encoderPool lets concurrent Chart calls reuse the PNG encoder's buffers (png.EncoderBufferPool).
type encoderPool struct{ p sync.Pool }

func (e *encoderPool) Get() *png.EncoderBuffer {
	b, _ := e.p.Get().(*png.EncoderBuffer)
	return b
}

func (e *encoderPool) Put(b *png.EncoderBuffer) { e.p.Put(b) }

// Chart draws s's trend as an 800×400 PNG: the lean per month as a line with points around a zero
// axis from −1 (management, below) to +1 (leadership, above), wellbeing per month beside it on the
// same scale, and a legend. A month without data is a gap in its line, never a zero. A trend with
// no data at all still renders, with a note across it. It is safe for concurrent use; the fonts
// are parsed once per process and shared.
func Chart(s Summary) ([]byte, error) {
	p := plot.New()
	p.BackgroundColor = color.White
	p.Title.Text = chartTitle(s.Trend)
	p.Title.TextStyle.Font = font.From(chartFont, titleSize)
	p.Title.Padding = vg.Points(8)

	n := len(s.Trend)
	xmin, xmax := -0.5, float64(n)-0.5
	if n == 0 {
		xmax = 0.5
	}

	bands, err := halfBands(xmin, xmax)
	if err != nil {
		return nil, err
	}
	grid := plotter.NewGrid()
	grid.Vertical.Color = nil
	grid.Horizontal.Color = gridGrey
	zero, err := plotter.NewLine(plotter.XYs{{X: xmin, Y: 0}, {X: xmax, Y: 0}})
	if err != nil {
		return nil, fmt.Errorf("report: chart: zero line: %w", err)
	}
	zero.Color, zero.Width = axisGrey, vg.Points(1.2)
	p.Add(bands...)
	p.Add(grid, zero)

	lean := series{
		line:  draw.LineStyle{Color: leanColor, Width: vg.Points(3)},
		glyph: draw.GlyphStyle{Color: leanColor, Radius: vg.Points(4.5), Shape: draw.CircleGlyph{}},
	}
	well := series{
		line:  draw.LineStyle{Color: wellColor, Width: vg.Points(2.5), Dashes: wellDashes},
		glyph: draw.GlyphStyle{Color: wellColor, Radius: vg.Points(4.5), Shape: draw.BoxGlyph{}},
	}
	var hasData bool
	for i, m := range s.Trend {
		if m.HasLean && finite(m.Lean) {
			lean.add(i, float64(i)-dodge, m.Lean)
			hasData = true
		}
		if m.HasWellbeing && finite(m.Wellbeing) {
			well.add(i, float64(i)+dodge, m.Wellbeing)
			hasData = true
		}
	}
	for _, sr := range []*series{&well, &lean} { // lean drawn last, on top
		ps, err := sr.plotters()
		if err != nil {
			return nil, err
		}
		p.Add(ps...)
	}
	if !hasData {
		note, err := plotter.NewLabels(plotter.XYLabels{
			XYs:    plotter.XYs{{X: (xmin + xmax) / 2, Y: 0.5}},
			Labels: []string{"no answers in these months yet"},
		})
		if err != nil {
			return nil, fmt.Errorf("report: chart: note: %w", err)
		}
		note.TextStyle[0] = textStyle(labelSize, axisGrey, draw.XCenter, draw.YCenter)
		p.Add(note)
	}

	// Axes are fixed after Add, which widens them to the data: the scale is always −1..+1.
	p.X.Min, p.X.Max = xmin, xmax
	p.Y.Min, p.Y.Max = -1.08, 1.08
	ticks := make(plot.ConstantTicks, n)
	for i, m := range s.Trend {
		ticks[i] = plot.Tick{Value: float64(i), Label: m.Month.short()}
	}
	p.X.Tick.Marker = ticks
	p.Y.Tick.Marker = leanTicks
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Tick.Label.Font = font.From(chartFont, labelSize)
		ax.Tick.Label.Color = axisGrey
		ax.Color = axisGrey
		ax.Tick.Color = axisGrey
	}

	legend := plot.NewLegend()
	legend.TextStyle.Font = font.From(chartFont, labelSize)
	legend.Top, legend.Left = true, true
	legend.ThumbnailWidth = vg.Points(26)
	legend.Padding = vg.Points(8)
	legend.Add("lean", lean.thumbs()...)
	legend.Add("wellbeing", well.thumbs()...)

	img := imagePool.Get().(*image.RGBA)
	defer imagePool.Put(img)
	canvas := vgimg.NewWith(vgimg.UseImageWithContext(img, newContext(img)), vgimg.UseDPI(chartDPI))
	dc := draw.New(canvas)
	dc = draw.Crop(dc, vg.Points(6), -vg.Points(6), vg.Points(4), -vg.Points(6))
	p.Draw(draw.Crop(dc, 0, -legendWidth, 0, 0))
	// The legend sits beside the plot, level with its top, so it never hides a point.
	data := p.DataCanvas(draw.Crop(dc, 0, -legendWidth, 0, 0))
	legendArea := dc
	legendArea.Min.X = dc.Max.X - legendWidth + vg.Points(12)
	legendArea.Max.Y = data.Max.Y
	legend.Draw(legendArea)
	// The shared axis names the lean's poles; this says what the wellbeing line's ends mean.
	key := textStyle(labelSize, axisGrey, draw.XLeft, draw.YTop)
	legendArea.FillText(key, vg.Point{X: legendArea.Min.X, Y: legendArea.Max.Y - vg.Points(64)}, wellbeingKey)

	buf := chartBufPool.Get().(*bytes.Buffer)
	defer chartBufPool.Put(buf)
	buf.Reset()
	if err := pngEncoder.Encode(buf, canvas.Image()); err != nil {
		return nil, fmt.Errorf("report: chart: encode: %w", err)
	}
	return bytes.Clone(buf.Bytes()), nil
}

// chartTitle names the months the chart covers, e.g. "Lean and wellbeing, Oct 2025 – Mar 2026".
func chartTitle(trend []MonthPoint) string {
	if len(trend) == 0 {
		return "Lean and wellbeing"
	}
	a, b := trend[0].Month, trend[len(trend)-1].Month
	return fmt.Sprintf("Lean and wellbeing, %s %d \u2013 %s %d", a.short(), a.Year, b.short(), b.Year)
}

// halfBands tints the leadership half (above zero) and the management half (below).
func halfBands(xmin, xmax float64) ([]plot.Plotter, error) {
	var out []plot.Plotter
	for _, b := range []struct {
		y0, y1 float64
		c      color.Color
	}{{0, 1.08, leadBand}, {-1.08, 0, manageBand}} {
		poly, err := plotter.NewPolygon(plotter.XYs{{X: xmin, Y: b.y0}, {X: xmax, Y: b.y0}, {X: xmax, Y: b.y1}, {X: xmin, Y: b.y1}})
		if err != nil {
			return nil, fmt.Errorf("report: chart: band: %w", err)
		}
		poly.Color = b.c
		poly.LineStyle.Width = 0
		out = append(out, poly)
	}
	return out, nil
}

// series is one line of the chart, split into runs of consecutive months so a month without data
// leaves a gap.
type series struct {
	line  draw.LineStyle
	glyph draw.GlyphStyle
	runs  []plotter.XYs
	last  int
}

// add puts month i's value at x (the month's position, dodged so equal values of the two series
// stay visible side by side).
func (s *series) add(i int, x, y float64) {
	if len(s.runs) == 0 || s.last != i-1 {
		s.runs = append(s.runs, nil)
	}
	s.runs[len(s.runs)-1] = append(s.runs[len(s.runs)-1], plotter.XY{X: x, Y: y})
	s.last = i
}

// plotters returns a line per run of two or more months and the points of every month.
func (s *series) plotters() ([]plot.Plotter, error) {
	var out []plot.Plotter
	var all plotter.XYs
	for _, run := range s.runs {
		all = append(all, run...)
		if len(run) < 2 {
			continue
		}
		l, err := plotter.NewLine(run)
		if err != nil {
			return nil, fmt.Errorf("report: chart: line: %w", err)
		}
		l.LineStyle = s.line
		out = append(out, l)
	}
	if len(all) > 0 {
		sc, err := plotter.NewScatter(all)
		if err != nil {
			return nil, fmt.Errorf("report: chart: points: %w", err)
		}
		sc.GlyphStyle = s.glyph
		out = append(out, sc)
	}
	return out, nil
}

// thumbs returns the legend's picture of the series: its line with one of its points.
func (s *series) thumbs() []plot.Thumbnailer {
	return []plot.Thumbnailer{&plotter.Line{LineStyle: s.line}, &plotter.Scatter{GlyphStyle: s.glyph}}
}

func textStyle(size vg.Length, c color.Color, x text.XAlignment, y text.YAlignment) text.Style {
	return text.Style{Color: c, Font: font.From(chartFont, size), XAlign: x, YAlign: y, Handler: textHandler}
}
