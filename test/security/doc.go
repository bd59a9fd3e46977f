// Package security holds Tandem's security system tests: what reaches a
// public page from hostile article text, and what each NATS user of the
// deployed configuration may and may not do.
package security
