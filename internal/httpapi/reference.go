package httpapi

import (
	"embed"
	"html/template"
	"net/http"
	"sort"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// The API reference: the OpenAPI document huma builds, read by a person.
// Rendered here, on the server, with Retain's own stylesheet: no script
// and nothing fetched from outside, so it works offline and behind any
// firewall, and it is always the API this binary serves.

//go:embed reference/reference.html
var referenceFS embed.FS

var referencePage = template.Must(template.ParseFS(referenceFS, "reference/reference.html"))

type refParam struct {
	Name, In, Type, Doc string
	Required            bool
}

type refOp struct {
	Method, Path, Summary, Description, Permission, ID string
	Params                                             []refParam
	Body                                               string // the request body's schema, as JSON Schema names
	Responses                                          []string
}

type refTag struct {
	Name string
	Ops  []refOp
}

// reference serves the API reference page.
func (a *API) reference(w http.ResponseWriter, r *http.Request) {
	doc := a.huma.OpenAPI()
	tags := map[string]*refTag{}
	for path, item := range doc.Paths {
		for method, op := range map[string]*huma.Operation{"GET": item.Get, "POST": item.Post, "PUT": item.Put, "DELETE": item.Delete, "PATCH": item.Patch} {
			if op == nil {
				continue
			}
			o := refOp{Method: method, Path: path, Summary: op.Summary, ID: op.OperationID}
			o.Description, o.Permission, _ = strings.Cut(op.Description, "\n\nNeeds an API key whose scopes grant `")
			o.Permission = strings.TrimSuffix(o.Permission, "`.")
			for _, p := range op.Parameters {
				rp := refParam{Name: p.Name, In: p.In, Doc: p.Description, Required: p.Required}
				if p.Schema != nil {
					rp.Type = p.Schema.Type
					if len(p.Schema.Enum) > 0 {
						var vals []string
						for _, e := range p.Schema.Enum {
							if s, ok := e.(string); ok && s != "" {
								vals = append(vals, s)
							}
						}
						rp.Type += ": " + strings.Join(vals, ", ")
					}
				}
				o.Params = append(o.Params, rp)
			}
			if op.RequestBody != nil {
				for ct, mt := range op.RequestBody.Content {
					if mt.Schema != nil {
						o.Body = ct + " " + strings.TrimPrefix(mt.Schema.Ref, "#/components/schemas/")
					}
				}
			}
			for code := range op.Responses {
				o.Responses = append(o.Responses, code)
			}
			sort.Strings(o.Responses)
			tag := "Other"
			if len(op.Tags) > 0 {
				tag = op.Tags[0]
			}
			if tags[tag] == nil {
				tags[tag] = &refTag{Name: tag}
			}
			tags[tag].Ops = append(tags[tag].Ops, o)
		}
	}
	var out []refTag
	for _, t := range tags {
		sort.Slice(t.Ops, func(i, j int) bool {
			if t.Ops[i].Path != t.Ops[j].Path {
				return t.Ops[i].Path < t.Ops[j].Path
			}
			return t.Ops[i].Method < t.Ops[j].Method
		})
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; frame-ancestors 'none'")
	if err := referencePage.Execute(w, map[string]any{"Title": doc.Info.Title, "Version": doc.Info.Version, "Intro": doc.Info.Description,
		"Tags": out, "Plain": a.table}); err != nil {
		a.log.Error("reference", "err", err)
	}
}
