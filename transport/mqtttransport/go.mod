module github.com/touchpoint-sdk/touchpoint/transport/mqtttransport

go 1.25.0

require github.com/touchpoint-sdk/touchpoint v0.0.0

require (
	github.com/eclipse/paho.golang v0.23.0 // indirect
	github.com/gorilla/websocket v1.5.3 // indirect
	github.com/mochi-mqtt/server/v2 v2.7.9 // indirect
	github.com/rs/xid v1.4.0 // indirect
	go.uber.org/goleak v1.3.0 // indirect
)

replace github.com/touchpoint-sdk/touchpoint => ../..
