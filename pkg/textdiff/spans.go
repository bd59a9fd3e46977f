package textdiff

import draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"

// Spans is Diff as the TextSpan messages that drafting's history and
// review's changed segments send to clients.
func Spans(a, b, locale string) []*draftingv1.TextSpan {
	var out []*draftingv1.TextSpan
	for _, s := range Diff(a, b, locale) {
		op := draftingv1.SpanOp_SPAN_OP_EQUAL
		switch s.Op {
		case Insert:
			op = draftingv1.SpanOp_SPAN_OP_INSERT
		case Delete:
			op = draftingv1.SpanOp_SPAN_OP_DELETE
		}
		out = append(out, &draftingv1.TextSpan{Op: op, Text: s.Text})
	}
	return out
}
