package kafkatransport

import "fmt"

// ValidateTopic reports whether topic is a legal Kafka topic name: 1 to 249
// bytes from [a-zA-Z0-9._-], and not "." or "..". The error matches
// ErrInvalidTopic and says what is wrong: the length, the reserved name, or
// the first byte outside the set and its offset.
func ValidateTopic(topic string) error {
	switch {
	case topic == "":
		return fmt.Errorf("%w: empty", ErrInvalidTopic)
	case len(topic) > 249:
		return fmt.Errorf("%w: %d bytes long, the limit is 249", ErrInvalidTopic, len(topic))
	case topic == "." || topic == "..":
		return fmt.Errorf("%w: %q", ErrInvalidTopic, topic)
	}
	for i := 0; i < len(topic); i++ {
		c := topic[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' {
			continue
		}
		return fmt.Errorf("%w: byte 0x%02x at offset %d (allowed: a-z A-Z 0-9 . _ -)", ErrInvalidTopic, c, i)
	}
	return nil
}
