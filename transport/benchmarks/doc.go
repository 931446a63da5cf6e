// Package benchmarks compares Touchpoint's delivery with the peer Go
// analytics SDKs (Segment analytics-go v3.3.0, PostHog posthog-go v1.23.1,
// RudderStack analytics-go v4.2.1) on the same loopback sink, one process
// per SDK. It is a module of its own so that the peers never enter the core
// module's dependencies. See README.md for how to run it.
package benchmarks
