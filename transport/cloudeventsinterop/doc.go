// Package cloudeventsinterop holds no code of its own: its tests parse what
// Touchpoint's CloudEvents senders actually put on the wire with the
// official CloudEvents Go SDK (github.com/cloudevents/sdk-go/v2 and its
// JetStream binding), so that a change that breaks a standard receiver
// fails here. It is a module of its own so that the core module never
// depends on the SDK.
//
// What the tests pin down:
//
//   - transport.NewCloudEvents with its default options sends batches that
//     the SDK's NewEventsFromHTTPRequest parses, attribute for attribute;
//   - with WithGzip(true) the SDK rejects every batch (it does not decode
//     Content-Encoding), which is why gzip is opt-in for CloudEvents;
//   - connected.AppendCloudEvent (structured mode) and
//     connected.CloudEventAttributes (binary mode) frame events that the
//     SDK's NewEventFromHTTPRequest reads back;
//   - natstransport's binary-mode messages are read by the SDK's JetStream
//     binding, and its metadata reader finds every attribute under the
//     binding's ce- header, ce-datacontenttype included.
package cloudeventsinterop
