package connected_test

import (
	"context"
	"fmt"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/connectedtest"
)

// A program registers its own channels at start; a typo of one is refused
// with the nearest registered name suggested.
func ExampleWithChannels() {
	rec := &connectedtest.Recorder{}
	c := exampleClient(rec, connected.WithChannels("service", "field", "contact_center"))
	defer c.Shutdown(context.Background())
	ctx := context.Background()
	err := c.Track(ctx, connected.Event{UserID: "u42", Event: "Technician Arrived", Context: connected.Context{Channel: "field"}})
	fmt.Println(err)
	err = c.Track(ctx, connected.Event{UserID: "u42", Event: "Service Case Opened", Context: connected.Context{Channel: "sevice"}})
	fmt.Println(err)
	fmt.Println(rec.Len())
	// Output:
	// <nil>
	// connected: invalid event: context.channel: unknown channel "sevice"; did you mean "service"?
	// 1
}

// A consumer decodes events of a Client configured WithChannels with the
// same registry.
func ExampleNewChannels() {
	cs, err := connected.NewChannels("service", "email")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cs.Has("email"), cs.Has("emails"))
	s, ok := cs.Suggest("Emial")
	fmt.Println(s, ok)
	_, err = connected.NewChannels("Contact-Center")
	fmt.Println(err)
	// Output:
	// true false
	// email true
	// connected: channel name "Contact-Center": must start with a lower-case letter a-z; did you mean "contact_center"?
}

func ExampleChannels_DecodeSegment() {
	cs, _ := connected.NewChannels("service")
	msg := []byte(`{"type":"track","messageId":"m1","userId":"u42","event":"Service Case Opened","originalTimestamp":"2026-11-24T10:30:00.000Z","context":{"channel":"service"}}`)
	_, err := connected.DecodeSegment(msg)
	fmt.Println(err)
	e, err := cs.DecodeSegment(msg)
	fmt.Println(e.Context.Channel, err)
	// Output:
	// connected: invalid event: context.channel: unknown channel "service" (register it with connected.WithChannels)
	// service <nil>
}

func ExampleChannels_Check() {
	cs, _ := connected.NewChannels("social")
	fmt.Println(cs.Check("social"), cs.Check(""))
	fmt.Println(cs.Check("socail"))
	// Output:
	// <nil> <nil>
	// connected: invalid event: context.channel: unknown channel "socail"; did you mean "social"?
}

func ExampleClient_Channels() {
	c := exampleClient(&connectedtest.Recorder{}, connected.WithChannels("home", "field"))
	defer c.Shutdown(context.Background())
	fmt.Println(c.Channels().List())
	// Output: [field home kiosk mobile pos server store vehicle wearable web]
}

func ExampleBuiltinChannels() {
	fmt.Println(connected.BuiltinChannels())
	// Output: [home kiosk mobile pos server store vehicle wearable web]
}
