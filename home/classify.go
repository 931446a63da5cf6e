package home

import "strings"

// follows reports whether the tracker follows c's device at all.
func (t *Tracker) follows(c *StateChange) bool { return kindOf(c) != "" }

// kindOf returns the device kind of c's device, or "" for devices the
// tracker does not follow.
func kindOf(c *StateChange) string {
	st := &c.New
	if c.Source == SourceZigbee2MQTT {
		switch {
		case st.Has&(HasOccupancy|HasPresence) != 0:
			return "presence_sensor"
		case st.Has&HasContact != 0:
			return "contact_sensor"
		case st.Has&HasSetpoint != 0:
			return "climate"
		case st.Has&HasValue != 0:
			switch st.Value {
			case "LOCK", "UNLOCK":
				return "lock"
			case "OPEN", "CLOSE", "STOP":
				return "cover"
			}
			return "switch"
		}
		return ""
	}
	switch c.Domain {
	case "media_player", "climate", "lock", "light", "switch", "fan", "cover", "vacuum",
		"water_heater", "humidifier", "valve", "lawn_mower":
		return c.Domain
	case "person", "device_tracker":
		return "person"
	case "binary_sensor":
		dc := st.DeviceClass
		if dc == "" {
			dc = c.Old.DeviceClass
		}
		switch dc {
		case "occupancy", "presence":
			return "presence_sensor"
		case "door", "garage_door", "opening", "window":
			return "contact_sensor"
		}
	}
	return ""
}

// known reports whether a state value says something: present, and not
// unavailable or unknown.
func known(s *State) bool {
	return s.Has&HasValue != 0 && s.Value != "" && s.Value != "unavailable" && s.Value != "unknown"
}

// normal returns a device state in lower case, with Zigbee2MQTT's command
// words as states.
func normal(v string) string {
	switch v {
	case "ON":
		return "on"
	case "OFF":
		return "off"
	case "LOCK":
		return "locked"
	case "UNLOCK":
		return "unlocked"
	case "OPEN":
		return "open"
	case "CLOSE":
		return "closed"
	case "on", "off", "locked", "unlocked", "open", "closed", "heat", "cool", "auto", "idle":
		return v
	}
	return strings.ToLower(v)
}

// classify appends the occurrences of a change of a device that is not an
// appliance, given its previous state.
func (t *Tracker) classify(dst []Occurrence, d *device, prev *State, c *StateChange, o Occurrence) []Occurrence {
	kind := kindOf(c)
	if kind == "" {
		t.ignore(c.Device, c.Time, IgnoreUnsupported)
		return dst
	}
	o.DeviceKind = kind
	st := &c.New
	switch kind {
	case "person":
		from, to := coarsePerson(prev), coarsePerson(st)
		if from != "" && to != "" && from != to {
			o.Kind, o.From, o.To = KindPresenceChanged, from, to
			dst = append(dst, o)
		}
	case "presence_sensor":
		from, to := occupancy(prev, c.Source), occupancy(st, c.Source)
		if from != "" && to != "" && from != to {
			o.Kind, o.From, o.To = KindPresenceChanged, from, to
			dst = append(dst, o)
		}
	case "contact_sensor":
		from, to := contact(prev, c.Source), contact(st, c.Source)
		if from != "" && to != "" && from != to {
			o.Kind, o.From, o.To = KindDeviceStateChanged, from, to
			dst = append(dst, o)
		}
	case "media_player":
		dst = media(dst, d, prev, st, o)
	case "climate":
		unit := t.cfg.TemperatureUnit
		if c.Source == SourceZigbee2MQTT {
			unit = "C"
		}
		dst = climate(dst, prev, st, o, unit)
	default:
		if known(prev) && known(st) && normal(prev.Value) != normal(st.Value) {
			o.Kind, o.From, o.To = KindDeviceStateChanged, normal(prev.Value), normal(st.Value)
			dst = append(dst, o)
		}
	}
	return dst
}

// coarsePerson reduces a person or device_tracker state to home or away:
// zone names (work, school, a friend's) never leave.
func coarsePerson(s *State) string {
	if !known(s) {
		return ""
	}
	if s.Value == "home" {
		return "home"
	}
	return "away"
}

// occupancy returns "occupied", "clear" or "" (unknown).
func occupancy(s *State, src Source) string {
	if src == SourceZigbee2MQTT {
		switch {
		case s.Has&HasPresence != 0:
			return occupied(s.Present)
		case s.Has&HasOccupancy != 0:
			return occupied(s.Occupied)
		}
		return ""
	}
	switch s.Value {
	case "on":
		return "occupied"
	case "off":
		return "clear"
	}
	return ""
}

func occupied(b bool) string {
	if b {
		return "occupied"
	}
	return "clear"
}

// contact returns "open", "closed" or "" (unknown). Zigbee2MQTT's contact
// is true when closed; Home Assistant's door sensors are on when open.
func contact(s *State, src Source) string {
	if src == SourceZigbee2MQTT {
		if s.Has&HasContact == 0 {
			return ""
		}
		if s.Closed {
			return "closed"
		}
		return "open"
	}
	switch s.Value {
	case "on":
		return "open"
	case "off":
		return "closed"
	}
	return ""
}

// powered reports whether a media player is on.
func powered(v string) bool { return v != "off" && v != "standby" }

// media follows a media player's power and playback sessions.
func media(dst []Occurrence, d *device, prev, st *State, o Occurrence) []Occurrence {
	if !known(st) {
		return dst
	}
	v := st.Value
	active := v == "playing" || v == "paused" || v == "buffering"
	if d.inSession && !active {
		e := o
		e.Kind, e.ContentType, e.App = KindMediaSessionEnded, d.content, d.app
		e.Duration = o.Time.Sub(d.sessionStart)
		dst = append(dst, e)
		d.inSession = false
	}
	if known(prev) && powered(prev.Value) != powered(v) {
		e := o
		e.Kind, e.From, e.To = KindDeviceStateChanged, onOff(powered(prev.Value)), onOff(powered(v))
		dst = append(dst, e)
	}
	if !d.inSession && v == "playing" {
		d.inSession, d.sessionStart = true, o.Time
		d.content, d.app = contentType(st.ContentType), appName(st.App)
		e := o
		e.Kind, e.ContentType, e.App = KindMediaSessionStarted, d.content, d.app
		dst = append(dst, e)
	}
	return dst
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// contentType coarsens Home Assistant's media_content_type: titles and
// content ids never leave, only what kind of content it is.
func contentType(s string) string {
	switch s {
	case "":
		return ""
	case "movie":
		return "movie"
	case "tvshow", "episode", "season":
		return "tv_show"
	case "video", "url":
		return "video"
	case "music", "track", "album", "artist", "playlist", "composer", "genre":
		return "music"
	case "podcast":
		return "podcast"
	case "channel", "channels":
		return "live_tv"
	case "game":
		return "game"
	case "app", "apps":
		return "app"
	case "image":
		return "image"
	}
	return "other"
}

// appName keeps an app name of at most 64 bytes.
func appName(s string) string {
	if len(s) > 64 {
		return ""
	}
	return s
}

// climate follows a thermostat's mode and set-point.
func climate(dst []Occurrence, prev, st *State, o Occurrence, unit string) []Occurrence {
	if known(prev) && known(st) && normal(prev.Value) != normal(st.Value) {
		e := o
		e.Kind, e.From, e.To = KindDeviceStateChanged, normal(prev.Value), normal(st.Value)
		dst = append(dst, e)
	}
	if st.Has&HasSetpoint == 0 {
		return dst
	}
	hadPrev := prev.Has&HasSetpoint != 0
	if hadPrev && prev.Setpoint == st.Setpoint {
		return dst
	}
	e := o
	e.Kind, e.Setpoint, e.TemperatureUnit = KindSetPointChanged, st.Setpoint, unit
	e.PrevSetpoint, e.HasPrevSetpoint = prev.Setpoint, hadPrev
	if known(st) {
		e.HVACMode = normal(st.Value)
	}
	return append(dst, e)
}
