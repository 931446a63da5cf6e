package pos

import (
	"math"
	"time"

	"github.com/touchpoint-sdk/touchpoint/internal/jsonscan"
)

// The keys DecodeApplePass keeps (case labels below are indices in these
// lists); barcodes, the authentication token and the rest are skipped,
// and validated, by the scanner in one loop.
var (
	passKeys = jsonscan.NewKeys("passTypeIdentifier", "serialNumber", "teamIdentifier", "organizationName",
		"maxDistance", "relevantDate", "locations", "beacons")
	passLocationKeys = jsonscan.NewKeys("latitude", "longitude", "relevantText")
	passBeaconKeys   = jsonscan.NewKeys("proximityUUID", "major", "minor", "relevantText")
)

// DefaultRelevanceRadius is the radius, in metres, within which Apple
// Wallet shows a pass relevant at one of its locations when the pass sets
// no smaller maxDistance (about 100 m, by developer reports; Apple uses
// the smaller of its default and maxDistance).
const DefaultRelevanceRadius = 100.0

// Pass is the relevance and identity of an Apple Wallet pass, decoded
// from its pass.json (Apple's Pass reference): where and when the pass
// shows on the lock screen.
type Pass struct {
	PassType     string         // passTypeIdentifier
	Serial       string         // serialNumber: pseudonymised on the way out
	Team         string         // teamIdentifier
	Organization string         // organizationName
	Locations    []PassLocation // up to 10
	Beacons      []PassBeacon   // up to 10
	MaxDistance  float64        // metres; 0 when unset
	RelevantDate time.Time      // zero when unset
}

// PassLocation is one of a pass's relevant locations.
type PassLocation struct {
	Latitude, Longitude float64
	RelevantText        string
}

// PassBeacon is one of a pass's relevant iBeacons.
type PassBeacon struct {
	ProximityUUID string
	Major, Minor  int // -1 when absent
	RelevantText  string
}

// DecodeApplePass decodes the relevance and identity fields of a
// pass.json: passTypeIdentifier, serialNumber, teamIdentifier,
// organizationName, locations (at most 10, latitude in [-90, 90],
// longitude in [-180, 180]), beacons (at most 10, proximityUUID required,
// major/minor 0-65535), maxDistance (metres, >= 0) and relevantDate (RFC
// 3339). Barcodes, the authentication token and the web service URL are
// skipped unread. It returns a *DecodeError and no partial value.
func DecodeApplePass(passJSON []byte) (Pass, error) {
	d := newDec("apple_pass", passJSON)
	var p Pass
	it := d.s.Object()
	for k := it.NextKey(passKeys); k >= 0; k = it.NextKey(passKeys) {
		switch k {
		case 0: // passTypeIdentifier
			p.PassType = d.str("passTypeIdentifier")
		case 1: // serialNumber
			p.Serial = d.str("serialNumber")
		case 2: // teamIdentifier
			p.Team = d.str("teamIdentifier")
		case 3: // organizationName
			p.Organization = d.str("organizationName")
		case 4: // maxDistance
			off := d.s.Pos()
			p.MaxDistance = d.s.Number()
			if d.check("maxDistance") && p.MaxDistance < 0 {
				d.fail("maxDistance", off, &detail{ErrInvalid, "negative"})
			}
		case 5: // relevantDate
			p.RelevantDate = d.rfc3339("relevantDate")
		case 6: // locations
			// Read into a buffer on the stack, kept in one allocation of
			// the length needed.
			var buf [10]PassLocation
			n := 0
			arr := d.s.Array()
			for arr.Next() {
				if len(p.Locations)+n == len(buf) { // a repeated key adds to the first
					d.fail("locations", d.s.Pos(), &detail{ErrInvalid, "more than 10 locations"})
					break
				}
				buf[n] = d.passLocation()
				n++
			}
			if d.check("locations") && n > 0 {
				p.Locations = append(p.Locations, buf[:n]...)
			}
		case 7: // beacons
			var buf [10]PassBeacon
			n := 0
			arr := d.s.Array()
			for arr.Next() {
				if len(p.Beacons)+n == len(buf) { // a repeated key adds to the first
					d.fail("beacons", d.s.Pos(), &detail{ErrInvalid, "more than 10 beacons"})
					break
				}
				buf[n] = d.passBeacon()
				n++
			}
			if d.check("beacons") && n > 0 {
				p.Beacons = append(p.Beacons, buf[:n]...)
			}
		}
		if !d.ok() {
			break
		}
	}
	if err := d.finish(); err != nil {
		return Pass{}, err
	}
	switch {
	case p.PassType == "":
		d.fail("passTypeIdentifier", -1, ErrMissing)
	case p.Serial == "":
		d.fail("serialNumber", -1, ErrMissing)
	}
	if d.err != nil {
		return Pass{}, d.err
	}
	p.own(passJSON)
	return p, nil
}

func (d *dec) passLocation() PassLocation {
	var l PassLocation
	var lat, lon bool
	off := d.s.Pos()
	it := d.s.Object()
	for k := it.NextKey(passLocationKeys); k >= 0; k = it.NextKey(passLocationKeys) {
		switch k {
		case 0: // latitude
			l.Latitude, lat = d.s.Number(), true
		case 1: // longitude
			l.Longitude, lon = d.s.Number(), true
		case 2: // relevantText
			l.RelevantText = d.str("locations.relevantText")
		}
	}
	if !d.check("locations") {
		return l
	}
	switch {
	case !lat:
		d.fail("locations.latitude", off, ErrMissing)
	case !lon:
		d.fail("locations.longitude", off, ErrMissing)
	case l.Latitude < -90 || l.Latitude > 90:
		d.fail("locations.latitude", off, &detail{ErrInvalid, "outside [-90, 90]"})
	case l.Longitude < -180 || l.Longitude > 180:
		d.fail("locations.longitude", off, &detail{ErrInvalid, "outside [-180, 180]"})
	}
	return l
}

func (d *dec) passBeacon() PassBeacon {
	b := PassBeacon{Major: -1, Minor: -1}
	off := d.s.Pos()
	it := d.s.Object()
	for k := it.NextKey(passBeaconKeys); k >= 0; k = it.NextKey(passBeaconKeys) {
		switch k {
		case 0: // proximityUUID
			b.ProximityUUID = d.str("beacons.proximityUUID")
		case 1, 2: // major, minor
			field := "beacons.major" // constants: no string is built unless there is an error
			if k == 2 {
				field = "beacons.minor"
			}
			v, ok := d.amount(field)
			if ok && v > 65535 {
				d.fail(field, off, &detail{ErrInvalid, "above 65535"})
			}
			if k == 1 {
				b.Major = int(v)
			} else {
				b.Minor = int(v)
			}
		case 3: // relevantText
			b.RelevantText = d.str("beacons.relevantText")
		}
	}
	if d.check("beacons") && b.ProximityUUID == "" {
		d.fail("beacons.proximityUUID", off, ErrMissing)
	}
	return b
}

// own makes p's strings independent of the pass.json they came from.
func (p *Pass) own(passJSON []byte) {
	o := newOwner(passJSON)
	o.count(p.PassType)
	o.count(p.Serial)
	o.count(p.Team)
	o.count(p.Organization)
	for i := range p.Locations {
		o.count(p.Locations[i].RelevantText)
	}
	for i := range p.Beacons {
		o.count(p.Beacons[i].ProximityUUID)
		o.count(p.Beacons[i].RelevantText)
	}
	o.take(&p.PassType)
	o.take(&p.Serial)
	o.take(&p.Team)
	o.take(&p.Organization)
	for i := range p.Locations {
		o.take(&p.Locations[i].RelevantText)
	}
	for i := range p.Beacons {
		o.take(&p.Beacons[i].ProximityUUID)
		o.take(&p.Beacons[i].RelevantText)
	}
}

// Radius returns the relevance radius in metres: the smaller of
// MaxDistance (when set) and DefaultRelevanceRadius.
func (p *Pass) Radius() float64 {
	if p.MaxDistance > 0 && p.MaxDistance < DefaultRelevanceRadius {
		return p.MaxDistance
	}
	return DefaultRelevanceRadius
}

// RelevantAt returns the index of the pass location nearest to (lat,
// lon), its great-circle distance in metres, and whether that location is
// within Radius: the pass is then relevant there (shown on the lock
// screen, when its relevantDate, if any, matches too). It returns -1 and
// false for a pass without locations.
func (p *Pass) RelevantAt(lat, lon float64) (index int, meters float64, ok bool) {
	index, meters = -1, math.Inf(1)
	for i, l := range p.Locations {
		if m := haversine(lat, lon, l.Latitude, l.Longitude); m < meters {
			index, meters = i, m
		}
	}
	return index, meters, index >= 0 && meters <= p.Radius()
}

// haversine is the great-circle distance in metres on a sphere of the
// Earth's mean radius.
func haversine(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371008.8
	rad := math.Pi / 180
	dlat, dlon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(a)))
}
