package plan

import "github.com/touchpoint-sdk/touchpoint/connected"

// contextView returns e's context as the map its Segment encoding holds,
// with the wire names (channel, dataCategory, library, device, location,
// ip, userAgent, locale, timezone, consent, externalIds and the Extra
// keys). It allocates, so it is built only for rules that check context.
func contextView(e *connected.Event) map[string]any {
	c := &e.Context
	m := make(map[string]any, 8+len(c.Extra))
	for k, v := range c.Extra {
		m[k] = v
	}
	put := func(dst map[string]any, k, v string) {
		if v != "" {
			dst[k] = v
		}
	}
	put(m, "channel", string(c.Channel))
	m["dataCategory"] = string(e.Category.OrDefault())
	if c.Library != (connected.Library{}) {
		lib := map[string]any{}
		put(lib, "name", c.Library.Name)
		put(lib, "version", c.Library.Version)
		m["library"] = lib
	}
	if d := &c.Device; d.ID != "" || d.Type != "" || d.Manufacturer != "" || d.Model != "" || len(d.Extra) > 0 {
		dev := make(map[string]any, 4+len(d.Extra))
		for k, v := range d.Extra {
			dev[k] = v
		}
		put(dev, "id", d.ID)
		put(dev, "type", d.Type)
		put(dev, "manufacturer", d.Manufacturer)
		put(dev, "model", d.Model)
		m["device"] = dev
	}
	if l := &c.Location; l.PlaceID != "" || l.Zone != "" || l.Geo != nil || len(l.Extra) > 0 {
		loc := make(map[string]any, 5+len(l.Extra))
		for k, v := range l.Extra {
			loc[k] = v
		}
		put(loc, "placeId", l.PlaceID)
		put(loc, "zone", l.Zone)
		if g := l.Geo; g != nil {
			loc["latitude"], loc["longitude"] = g.Latitude, g.Longitude
			if g.Accuracy != 0 {
				loc["accuracy"] = g.Accuracy
			}
		}
		m["location"] = loc
	}
	put(m, "ip", c.IP)
	put(m, "userAgent", c.UserAgent)
	put(m, "locale", c.Locale)
	put(m, "timezone", c.Timezone)
	if len(c.Consent.CategoryPreferences) > 0 {
		prefs := make(map[string]any, len(c.Consent.CategoryPreferences))
		for k, v := range c.Consent.CategoryPreferences {
			prefs[k] = v
		}
		m["consent"] = map[string]any{"categoryPreferences": prefs}
	}
	if len(c.ExternalIDs) > 0 {
		ids := make([]any, len(c.ExternalIDs))
		for i, x := range c.ExternalIDs {
			id := map[string]any{}
			put(id, "id", x.ID)
			put(id, "type", x.Type)
			put(id, "collection", x.Collection)
			put(id, "encoding", x.Encoding)
			ids[i] = id
		}
		m["externalIds"] = ids
	}
	return m
}
