package report

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"sync"

	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"git.sr.ht/~sbinet/gg"
	"golang.org/x/image/font/opentype"
	"gonum.org/v1/plot/font"
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
	balanced     = color.RGBA{R: 0xee, G: 0xee, B: 0xee, A: 0xff}
	wellBand     = color.RGBA{R: 0xf1, G: 0xf8, B: 0xf3, A: 0xff}
	wellbeingKey = "its own scale,\nnot a lean"
	leanKey      = "grey band:\nbalanced\n(\u00b10.20)"
	legendThumb  = vg.Points(26)
	leanTicks    = []tick{{1, "+1"}, {0.6, "leadership"}, {0, "0"}, {-0.6, "management"}, {-1, "\u22121"}}
	wellTicks    = []tick{{1, "sustainable"}, {0, "0"}, {-1, "strained"}}
	textHandler  = text.Plain{Fonts: font.NewCache(sansCollection())}
	chartBufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}
)

// The value axes run a little past −1..+1 so the extreme points are drawn whole.
const yLow, yHigh = -1.08, 1.08

// balancedBand is the half-width of the balanced band: a lean inside ±0.20 reads as balanced.
const balancedBand = 0.2

// wellShare is the share of the plotting height given to the wellbeing panel.
const wellShare = 0.34

// tick is one labelled value on a panel's axis.
type tick struct {
	value float64
	label string
}

// sansCollection is the one font the chart uses, Liberation Sans.
func sansCollection() font.Collection {
	face, err := opentype.Parse(liberationsansregular.TTF)
	if err != nil {
		panic(fmt.Errorf("report: the built-in font does not parse: %w", err))
	}
	return font.Collection{{Font: chartFont, Face: face}}
}

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

// Chart draws s's trend as an 800×400 PNG in two panels over the same months. The upper panel is
// the lean: each month's headline score as a line with points around a zero axis from −1
// (management, below) to +1 (leadership, above), with the balanced band (±0.20) shaded and
// labelled, so a point inside it reads as balanced. The lower panel is wellbeing on its own axis,
// from −1 strained to +1 sustainable, so it is never read as a lean. A month without data is a gap
// in its line, never a zero. A trend with no data at all still renders, with a note across it. It
// is safe for concurrent use; the font is parsed once per process and shared.
//
// It draws with gonum/plot's vg canvas directly rather than its plot package, whose init embeds
// twelve fonts (4.3 MiB of the binary) where the chart needs one.
//
// Everything but the two lines and the note is the same on every chart of the same months, so it
// is drawn once into a template (see templateFor) and each chart starts from a copy of it: a monthly
// run draws its text and axes once rather than once a person. The pixels are those of drawing it
// all in one go (TestChartTemplateSamePixels): the data and the legend never share a pixel.
func Chart(s Summary) ([]byte, error) {
	t := templateFor(s.Trend)
	img := imagePool.Get().(*image.RGBA)
	defer imagePool.Put(img)
	canvas := vgimg.NewWith(vgimg.UseImageWithContext(img, newContext(img)), vgimg.UseDPI(chartDPI))
	copy(img.Pix, t.img.Pix)
	drawData(t.layout.on(canvas), s.Trend)

	buf := chartBufPool.Get().(*bytes.Buffer)
	defer chartBufPool.Put(buf)
	buf.Reset()
	if err := encodePNG(buf, img); err != nil {
		return nil, fmt.Errorf("report: chart: encode: %w", err)
	}
	return bytes.Clone(buf.Bytes()), nil
}

// chartLayout is where a chart of n months puts things: the frame's title above, tick labels
// left, months below and the legend to the right of the plotting area, which is split into the
// lean panel (upper) and the wellbeing panel (lower). It depends on nothing but n.
type chartLayout struct {
	all, area, lean, well vg.Rectangle
	xmin, xmax            float64
}

// chartCanvases is a layout bound to one chart's canvas.
type chartCanvases struct {
	chartLayout
	dc, area, leanPanel, wellPanel draw.Canvas
}

const tickLen, tickPad = 4, 5

func newLayout(canvas vg.CanvasSizer, n int) chartLayout {
	l := chartLayout{xmin: -0.5, xmax: float64(n) - 0.5}
	if n == 0 {
		l.xmax = 0.5
	}
	dc := draw.Crop(draw.New(canvas), vg.Points(6), -vg.Points(6), vg.Points(4), -vg.Points(6))
	l.all = dc.Rectangle
	title := textStyle(titleSize, color.Black, draw.XLeft, draw.YTop)
	label := textStyle(labelSize, axisGrey, draw.XRight, draw.YCenter)
	var labelWidth vg.Length
	for _, t := range append(append([]tick(nil), leanTicks...), wellTicks...) {
		labelWidth = max(labelWidth, label.Width(t.label))
	}
	area := dc.Rectangle
	area.Max.X -= legendWidth
	area.Max.Y -= title.Height("Ag") + vg.Points(16)
	area.Min.X += labelWidth + vg.Points(tickLen+tickPad)
	area.Min.Y += label.Height("Ag") + vg.Points(tickLen+tickPad)
	gap := vg.Points(14)
	split := area.Min.Y + (area.Max.Y-area.Min.Y-gap)*wellShare
	l.area, l.lean, l.well = area, area, area
	l.lean.Min.Y = split + gap
	l.well.Max.Y = split
	return l
}

// on binds the layout to a canvas.
func (l chartLayout) on(c vg.Canvas) chartCanvases {
	return chartCanvases{
		chartLayout: l,
		dc:          draw.Canvas{Canvas: c, Rectangle: l.all},
		area:        draw.Canvas{Canvas: c, Rectangle: l.area},
		leanPanel:   draw.Canvas{Canvas: c, Rectangle: l.lean},
		wellPanel:   draw.Canvas{Canvas: c, Rectangle: l.well},
	}
}

// x is month v's position across the plotting area.
func (c chartCanvases) x(v float64) vg.Length { return c.area.X((v - c.xmin) / (c.xmax - c.xmin)) }

// y is lean v's height in the lean panel, yw wellbeing v's in the wellbeing panel.
func (c chartCanvases) y(v float64) vg.Length  { return c.leanPanel.Y((v - yLow) / (yHigh - yLow)) }
func (c chartCanvases) yw(v float64) vg.Length { return c.wellPanel.Y((v - yLow) / (yHigh - yLow)) }

// drawFrame draws what comes before the data: the title, the panels' bands and grid, the axes
// with their labels and the months.
func drawFrame(c chartCanvases, trend []MonthPoint) {
	dc, leanPanel, wellPanel := c.dc, c.leanPanel, c.wellPanel
	title := textStyle(titleSize, color.Black, draw.XLeft, draw.YTop)
	label := textStyle(labelSize, axisGrey, draw.XRight, draw.YCenter)
	dc.FillText(title, vg.Point{X: c.area.Min.X, Y: dc.Max.Y - vg.Points(4)}, chartTitle(trend))
	box := func(c draw.Canvas, y0, y1 vg.Length) []vg.Point {
		return []vg.Point{{X: c.Min.X, Y: y0}, {X: c.Max.X, Y: y0}, {X: c.Max.X, Y: y1}, {X: c.Min.X, Y: y1}}
	}
	leanPanel.FillPolygon(leadBand, box(leanPanel, c.y(balancedBand), leanPanel.Max.Y))
	leanPanel.FillPolygon(balanced, box(leanPanel, c.y(-balancedBand), c.y(balancedBand)))
	leanPanel.FillPolygon(manageBand, box(leanPanel, leanPanel.Min.Y, c.y(-balancedBand)))
	wellPanel.FillPolygon(wellBand, box(wellPanel, wellPanel.Min.Y, wellPanel.Max.Y))
	grid := draw.LineStyle{Color: gridGrey, Width: vg.Points(0.5)}
	axis := draw.LineStyle{Color: axisGrey, Width: vg.Points(1)}
	ticks := func(p draw.Canvas, yf func(float64) vg.Length, ts []tick) {
		for _, t := range ts {
			p.StrokeLine2(grid, p.Min.X, yf(t.value), p.Max.X, yf(t.value))
			dc.StrokeLine2(axis, p.Min.X-vg.Points(tickLen), yf(t.value), p.Min.X, yf(t.value))
			dc.FillText(label, vg.Point{X: p.Min.X - vg.Points(tickLen+tickPad), Y: yf(t.value)}, t.label)
		}
		dc.StrokeLine2(axis, p.Min.X, p.Min.Y, p.Min.X, p.Max.Y)
		dc.StrokeLine2(axis, p.Min.X, p.Min.Y, p.Max.X, p.Min.Y)
	}
	ticks(leanPanel, c.y, leanTicks)
	ticks(wellPanel, c.yw, wellTicks)
	leanPanel.StrokeLine2(draw.LineStyle{Color: axisGrey, Width: vg.Points(1.2)}, leanPanel.Min.X, c.y(0), leanPanel.Max.X, c.y(0))
	month := textStyle(labelSize, axisGrey, draw.XCenter, draw.YTop)
	for i, m := range trend {
		dc.StrokeLine2(axis, c.x(float64(i)), c.area.Min.Y, c.x(float64(i)), c.area.Min.Y-vg.Points(tickLen))
		dc.FillText(month, vg.Point{X: c.x(float64(i)), Y: c.area.Min.Y - vg.Points(tickLen+tickPad)}, m.Month.short())
	}
}

// The two series' looks, shared by the lines and the legend.
var (
	leanLook = series{
		name:  "lean",
		line:  draw.LineStyle{Color: leanColor, Width: vg.Points(3)},
		glyph: draw.GlyphStyle{Color: leanColor, Radius: vg.Points(4.5), Shape: draw.CircleGlyph{}},
	}
	wellLook = series{
		name:  "wellbeing",
		line:  draw.LineStyle{Color: wellColor, Width: vg.Points(2.5), Dashes: wellDashes},
		glyph: draw.GlyphStyle{Color: wellColor, Radius: vg.Points(4.5), Shape: draw.BoxGlyph{}},
	}
)

// drawData draws the trend's two lines, or the note when it has no data at all. It draws inside
// the plotting area only, so never over the legend beside it.
func drawData(c chartCanvases, trend []MonthPoint) {
	lean, well := leanLook, wellLook
	var hasData bool
	for i, m := range trend {
		if m.HasScore && finite(m.Score) {
			lean.add(i, vg.Point{X: c.x(float64(i)), Y: c.y(m.Score)})
			hasData = true
		}
		if m.HasWellbeing && finite(m.Wellbeing) {
			well.add(i, vg.Point{X: c.x(float64(i)), Y: c.yw(m.Wellbeing)})
			hasData = true
		}
	}
	well.draw(c.wellPanel)
	lean.draw(c.leanPanel)
	if !hasData {
		note := textStyle(labelSize, axisGrey, draw.XCenter, draw.YCenter)
		c.leanPanel.FillText(note, vg.Point{X: (c.leanPanel.Min.X + c.leanPanel.Max.X) / 2, Y: c.y(0.6)}, "no answers in these months yet")
	}
}

// drawLegend draws the legend beside each panel, level with its top, so it never hides a point.
func drawLegend(c chartCanvases) {
	dc := c.dc
	entry := textStyle(labelSize, color.Black, draw.XLeft, draw.YCenter)
	left := dc.Max.X - legendWidth + vg.Points(12)
	for _, l := range []struct {
		sr  series
		top vg.Length
	}{{leanLook, c.leanPanel.Max.Y}, {wellLook, c.wellPanel.Max.Y}} {
		row := l.top - vg.Points(8) - entry.Height("Ag")/2
		l.sr.thumb(dc, left, row)
		dc.FillText(entry, vg.Point{X: left + legendThumb + vg.Points(6), Y: row}, l.sr.name)
	}
	key := textStyle(labelSize, axisGrey, draw.XLeft, draw.YTop)
	dc.FillText(key, vg.Point{X: left, Y: c.leanPanel.Max.Y - vg.Points(30)}, leanKey)
	dc.FillText(key, vg.Point{X: left, Y: c.wellPanel.Max.Y - vg.Points(30)}, wellbeingKey)
}

// chartTemplate is the part of a chart that is the same for every trend over the same months:
// the frame and the legend, drawn, and where the data goes. Its image is never written after it
// is built.
type chartTemplate struct {
	img    *image.RGBA
	layout chartLayout
}

// templates keeps the templates of up to maxTemplates sets of months (1.3 MB each), starting over
// when one more comes. A monthly run charts everyone over the same months, so it builds one; the
// bound keeps odd callers from growing it.
var templates struct {
	sync.Mutex
	byMonths map[string]*chartTemplate
}

const maxTemplates = 4

// templateFor returns the template for trend's months, drawing it on first use.
func templateFor(trend []MonthPoint) *chartTemplate {
	key := make([]byte, 0, 4*len(trend))
	for _, m := range trend {
		key = append(binary.AppendVarint(key, int64(m.Month.Year)), byte(m.Month.Month))
	}
	templates.Lock()
	t := templates.byMonths[string(key)]
	templates.Unlock()
	if t != nil {
		return t
	}
	t = newTemplate(trend)
	templates.Lock()
	defer templates.Unlock()
	if templates.byMonths == nil || len(templates.byMonths) >= maxTemplates {
		templates.byMonths = make(map[string]*chartTemplate, maxTemplates)
	}
	templates.byMonths[string(key)] = t
	return t
}

// newTemplate draws the frame and the legend for trend's months on a white raster.
func newTemplate(trend []MonthPoint) *chartTemplate {
	t := &chartTemplate{img: image.NewRGBA(image.Rect(0, 0, ChartWidth, ChartHeight))}
	canvas := vgimg.NewWith(vgimg.UseImageWithContext(t.img, newContext(t.img)), vgimg.UseDPI(chartDPI))
	t.layout = newLayout(canvas, len(trend))
	c := t.layout.on(canvas)
	drawFrame(c, trend)
	drawLegend(c)
	return t
}

// chartTitle names the months the chart covers, e.g. "Lean and wellbeing, Oct 2025 – Mar 2026".
func chartTitle(trend []MonthPoint) string {
	if len(trend) == 0 {
		return "Lean and wellbeing"
	}
	a, b := trend[0].Month, trend[len(trend)-1].Month
	return fmt.Sprintf("Lean and wellbeing, %s %d \u2013 %s %d", a.short(), a.Year, b.short(), b.Year)
}

// series is one line of the chart, split into runs of consecutive months so a month without data
// leaves a gap.
type series struct {
	name  string
	line  draw.LineStyle
	glyph draw.GlyphStyle
	runs  [][]vg.Point
	last  int
}

// add puts month i's point at pt (its x dodged so equal values of the two series stay visible
// side by side).
func (s *series) add(i int, pt vg.Point) {
	if len(s.runs) == 0 || s.last != i-1 {
		s.runs = append(s.runs, nil)
	}
	s.runs[len(s.runs)-1] = append(s.runs[len(s.runs)-1], pt)
	s.last = i
}

// draw strokes a line through each run of two or more months, then marks every month's point.
func (s *series) draw(c draw.Canvas) {
	for _, run := range s.runs {
		if len(run) >= 2 {
			c.StrokeLines(s.line, run)
		}
	}
	for _, run := range s.runs {
		for _, pt := range run {
			c.DrawGlyph(s.glyph, pt)
		}
	}
}

// thumb draws the legend's picture of the series at (x, y): its line with one of its points.
func (s *series) thumb(c draw.Canvas, x, y vg.Length) {
	c.StrokeLine2(s.line, x, y, x+legendThumb, y)
	c.DrawGlyph(s.glyph, vg.Point{X: x + legendThumb/2, Y: y})
}

func textStyle(size vg.Length, c color.Color, x text.XAlignment, y text.YAlignment) text.Style {
	return text.Style{Color: c, Font: font.From(chartFont, size), XAlign: x, YAlign: y, Handler: textHandler}
}
