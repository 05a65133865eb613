package messaging

import "regexp"

// urlInText finds URLs in an error's text: scheme, then user info, then the
// rest up to a query, then the query.
var urlInText = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.\-]*://)([^/\s@"'?#]*@)?([^\s"'?#]*)(\?[^\s"'#]*)?`)

// Redact removes what may be a secret from text about a gateway call before
// it is stored or shown: the query string of every URL (gateways take
// api_key=… there) and any user:password@ in it. The scheme, host and path
// stay, which is what a person needs to see which gateway failed.
func Redact(text string) string {
	return urlInText.ReplaceAllStringFunc(text, func(u string) string {
		m := urlInText.FindStringSubmatch(u)
		out := m[1] + m[3]
		if m[2] != "" {
			out = m[1] + "…@" + m[3]
		}
		if m[4] != "" {
			out += "?…"
		}
		return out
	})
}
