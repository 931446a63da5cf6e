module github.com/touchpoint-sdk/touchpoint/identity/intl

go 1.26.0

replace github.com/touchpoint-sdk/touchpoint => ../..

require (
	github.com/nyaruka/phonenumbers v1.8.1
	github.com/touchpoint-sdk/touchpoint v0.0.0
	golang.org/x/text v0.44.0
)

require (
	github.com/google/uuid v1.6.0 // indirect
	google.golang.org/protobuf v1.36.11 // indirect
)
