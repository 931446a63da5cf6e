package mqtttransport

import (
	"fmt"

	"github.com/eclipse/paho.golang/paho"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// maxUserProperties is the most user properties one message gets: the
// CloudEvents attributes but datacontenttype, which is the Content Type
// property.
const maxUserProperties = 8

// message fills p and props with r's MQTT 5 PUBLISH, appending its user
// properties to users (one backing array per batch) and returning it.
// format points to the Payload Format Indicator 1 (UTF-8: the payload is
// JSON), shared by the messages of a batch.
func (s *Sender) message(p *paho.Publish, props *paho.PublishProperties, users []paho.UserProperty, format *byte, r *connected.Record) ([]paho.UserProperty, error) {
	if !s.topic.Fits(r) {
		return users, fmt.Errorf("mqtttransport: record %s: category, type or partition key cannot stand in a topic level", r.ID)
	}
	start := len(users)
	err := connected.CloudEventAttributes(r, s.ce, func(name, value string) {
		if name == "datacontenttype" {
			props.ContentType = value
			return
		}
		users = append(users, paho.UserProperty{Key: name, Value: value})
	})
	if err != nil {
		return users[:start], err
	}
	props.User = users[start:len(users):len(users)]
	props.PayloadFormat = format
	*p = paho.Publish{QoS: 1, Topic: s.topic.Expand(r), Payload: r.Payload, Properties: props}
	return users, nil
}
