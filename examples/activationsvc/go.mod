module github.com/touchpoint-sdk/touchpoint/examples/activationsvc

go 1.26.0

require (
	github.com/touchpoint-sdk/touchpoint v0.0.0
	github.com/touchpoint-sdk/touchpoint/transport/kafkatransport v0.0.0
	github.com/twmb/franz-go v1.22.3
	github.com/twmb/franz-go/pkg/kfake v0.0.0-20260918054303-01f206a7e32c
	go.uber.org/goleak v1.3.0
)

require (
	github.com/cenkalti/backoff/v4 v4.3.0 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/klauspost/compress v1.20.3 // indirect
	github.com/pierrec/lz4/v4 v4.1.33 // indirect
	github.com/twmb/franz-go/pkg/kmsg v1.15.1 // indirect
)

replace (
	github.com/touchpoint-sdk/touchpoint => ../..
	github.com/touchpoint-sdk/touchpoint/transport/kafkatransport => ../../transport/kafkatransport
)
