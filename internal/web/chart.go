package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// Charts are SVG drawn on the server: no script to load, readable without
// JavaScript, and every bar or cell a link to the customers behind it.
// (a vendored chart library was the first idea; server-side SVG
// needs none and is what the browser tests can check.)

// Bar is one bar of a bar chart.
type Bar struct {
	Label string // under the bar
	Value float64
	Text  string // the value as shown (localized)
	Href  string // where a click goes
	Class string // a CSS class for the colour
	Title string // the tooltip; default "Label: Text"
}

// bars draws a bar chart; negative values hang below the axis.
func bars(title string, bs []Bar) template.HTML {
	const w, h, pad, labelH = 640.0, 220.0, 24.0, 36.0
	if len(bs) == 0 {
		return ""
	}
	lo, hi := 0.0, 0.0
	for _, b := range bs {
		lo, hi = math.Min(lo, b.Value), math.Max(hi, b.Value)
	}
	if hi == lo {
		hi = lo + 1
	}
	plot := h - pad - labelH
	y := func(v float64) float64 { return pad + plot*(hi-v)/(hi-lo) }
	bw := (w - 2*pad) / float64(len(bs))
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">`, w, h, template.HTMLEscapeString(title))
	fmt.Fprintf(&sb, `<line class="axis" x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f"/>`, pad, w-pad, y(0), y(0))
	for i, b := range bs {
		x := pad + float64(i)*bw + bw*0.15
		top, bottom := y(math.Max(b.Value, 0)), y(math.Min(b.Value, 0))
		tip := b.Title
		if tip == "" {
			tip = b.Label + ": " + b.Text
		}
		fmt.Fprintf(&sb, `<a href="%s"><rect class="bar %s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s</title></rect></a>`,
			template.HTMLEscapeString(b.Href), template.HTMLEscapeString(b.Class), x, top, bw*0.7, math.Max(bottom-top, 0.5),
			template.HTMLEscapeString(tip))
		fmt.Fprintf(&sb, `<text class="value" x="%.1f" y="%.1f">%s</text>`, x+bw*0.35, top-4, template.HTMLEscapeString(b.Text))
		fmt.Fprintf(&sb, `<text class="label" x="%.1f" y="%.1f">%s</text>`, x+bw*0.35, h-labelH/2, template.HTMLEscapeString(b.Label))
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String()) // every text above is escaped
}

// Cell is one cell of a heatmap.
type Cell struct {
	Share float64 // 0–1: the colour
	Text  string
	Href  string
	Title string
}

// heatmap draws rows of cells (a cohort table) with row labels and, when
// given, column labels over the first row.
func heatmap(title string, rowLabels, colLabels []string, rows [][]Cell) template.HTML {
	const cw, ch, lw = 60.0, 26.0, 110.0
	top := 0.0
	if len(colLabels) > 0 {
		top = 18
	}
	cols := 0
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	w, h := lw+cw*float64(cols)+4, top+ch*float64(len(rows))+4
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart heatmap" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">`, w, h, template.HTMLEscapeString(title))
	for j, c := range colLabels {
		if j < cols {
			fmt.Fprintf(&sb, `<text class="label" x="%.1f" y="12">%s</text>`, lw+float64(j)*cw+cw/2-1, template.HTMLEscapeString(c))
		}
	}
	for i, r := range rows {
		y := top + float64(i)*ch
		fmt.Fprintf(&sb, `<text class="label row" x="%.0f" y="%.1f">%s</text>`, lw-6, y+ch*0.65, template.HTMLEscapeString(rowLabels[i]))
		for j, c := range r {
			x := lw + float64(j)*cw
			fmt.Fprintf(&sb, `<a href="%s"><rect x="%.0f" y="%.0f" width="%.0f" height="%.0f" fill-opacity="%.2f" class="cell"><title>%s</title></rect>`+
				`<text class="cell-text" x="%.1f" y="%.1f">%s</text></a>`,
				template.HTMLEscapeString(c.Href), x, y, cw-2, ch-2, 0.08+0.92*c.Share, template.HTMLEscapeString(c.Title),
				x+cw/2-1, y+ch*0.65, template.HTMLEscapeString(c.Text))
		}
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}
