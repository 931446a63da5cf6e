module github.com/touchpoint-sdk/touchpoint/examples/gateway

go 1.26.0

require (
	github.com/eclipse/paho.golang v0.23.0
	github.com/mochi-mqtt/server/v2 v2.7.9
	github.com/nats-io/nats-server/v2 v2.14.5
	github.com/nats-io/nats.go v1.53.1
	github.com/touchpoint-sdk/touchpoint v0.0.0
	github.com/touchpoint-sdk/touchpoint/transport/kafkatransport v0.0.0
	github.com/touchpoint-sdk/touchpoint/transport/mqtttransport v0.0.0
	github.com/touchpoint-sdk/touchpoint/transport/natstransport v0.0.0
	github.com/twmb/franz-go v1.22.3
	github.com/twmb/franz-go/pkg/kfake v0.0.0-20260918054303-01f206a7e32c
	go.uber.org/goleak v1.3.0
)

require (
	github.com/antithesishq/antithesis-sdk-go v0.7.2-default-no-op // indirect
	github.com/cenkalti/backoff/v4 v4.3.0 // indirect
	github.com/google/go-tpm v0.9.8 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/gorilla/websocket v1.5.3 // indirect
	github.com/klauspost/compress v1.20.3 // indirect
	github.com/minio/highwayhash v1.0.4 // indirect
	github.com/nats-io/jwt/v2 v2.8.2 // indirect
	github.com/nats-io/nkeys v0.4.16 // indirect
	github.com/nats-io/nuid v1.0.1 // indirect
	github.com/pierrec/lz4/v4 v4.1.33 // indirect
	github.com/rs/xid v1.4.0 // indirect
	github.com/twmb/franz-go/pkg/kmsg v1.15.1 // indirect
	golang.org/x/crypto v0.55.0 // indirect
	golang.org/x/net v0.57.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
	golang.org/x/time v0.15.0 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)

replace (
	github.com/touchpoint-sdk/touchpoint => ../..
	github.com/touchpoint-sdk/touchpoint/transport/kafkatransport => ../../transport/kafkatransport
	github.com/touchpoint-sdk/touchpoint/transport/mqtttransport => ../../transport/mqtttransport
	github.com/touchpoint-sdk/touchpoint/transport/natstransport => ../../transport/natstransport
)
