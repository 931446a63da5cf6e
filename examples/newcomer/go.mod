module github.com/touchpoint-sdk/touchpoint/examples/newcomer

go 1.25.0

require (
	github.com/mochi-mqtt/server/v2 v2.7.9
	github.com/touchpoint-sdk/touchpoint v0.0.0
	github.com/touchpoint-sdk/touchpoint/transport/mqtttransport v0.0.0
	go.uber.org/goleak v1.3.0
)

require (
	github.com/cenkalti/backoff/v4 v4.3.0 // indirect
	github.com/eclipse/paho.golang v0.23.0 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/gorilla/websocket v1.5.3 // indirect
	github.com/klauspost/compress v1.20.3 // indirect
	github.com/rs/xid v1.4.0 // indirect
	golang.org/x/net v0.43.0 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)

replace (
	github.com/touchpoint-sdk/touchpoint => ../..
	github.com/touchpoint-sdk/touchpoint/transport/mqtttransport => ../../transport/mqtttransport
)
