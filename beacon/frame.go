package beacon

// Frame is one decoded beacon frame. Format says which variant field is
// set; the others are zero. A Frame is a plain value (no pointers into the
// input), so it may be kept after the input buffer is reused.
type Frame struct {
	Format    Format
	IBeacon   IBeacon
	AltBeacon AltBeacon
	UID       EddystoneUID
	URL       EddystoneURL
	TLM       EddystoneTLM
	ETLM      EncryptedTLM
	EID       EddystoneEID
	// Container holds warnings about the advertising data around the
	// frame (WarnTrailingData), as opposed to the frame itself.
	Container Warnings
}

// Warnings returns the warnings of the variant that is set, together with
// the Container warnings.
func (f *Frame) Warnings() Warnings { return f.Container | f.frameWarnings() }

func (f *Frame) frameWarnings() Warnings {
	switch f.Format {
	case FormatIBeacon:
		return f.IBeacon.Warnings
	case FormatAltBeacon:
		return f.AltBeacon.Warnings
	case FormatEddystoneUID:
		return f.UID.Warnings
	case FormatEddystoneURL:
		return f.URL.Warnings
	case FormatEddystoneTLM:
		return f.TLM.Warnings
	case FormatEddystoneETLM:
		return f.ETLM.Warnings
	case FormatEddystoneEID:
		return f.EID.Warnings
	}
	return 0
}

// ID returns the beacon identity the frame carries, and false for
// telemetry frames (TLM, encrypted TLM), which have none.
func (f *Frame) ID() (BeaconID, bool) {
	switch f.Format {
	case FormatIBeacon:
		return f.IBeacon.ID(), true
	case FormatAltBeacon:
		return f.AltBeacon.ID(), true
	case FormatEddystoneUID:
		return f.UID.ID(), true
	case FormatEddystoneURL:
		return f.URL.ID(), true
	case FormatEddystoneEID:
		return f.EID.ID(), true
	}
	return BeaconID{}, false
}

// TxPower1m returns the calibrated power at 1 m in dBm that distance models
// take, and false when the frame carries none (telemetry). Eddystone frames
// advertise power at 0 m; the spec's 41 dB correction is applied.
func (f *Frame) TxPower1m() (dBm int, ok bool) {
	switch f.Format {
	case FormatIBeacon:
		return int(f.IBeacon.MeasuredPower), true
	case FormatAltBeacon:
		return int(f.AltBeacon.RefRSSI), true
	case FormatEddystoneUID:
		return int(f.UID.TxPower) - EddystoneCorrection, true
	case FormatEddystoneURL:
		return int(f.URL.TxPower) - EddystoneCorrection, true
	case FormatEddystoneEID:
		return int(f.EID.TxPower) - EddystoneCorrection, true
	}
	return 0, false
}

// AppendAD appends a complete advertising payload for the frame (see the
// variants' AppendAD), or nothing for a zero Frame.
func (f *Frame) AppendAD(dst []byte) []byte {
	switch f.Format {
	case FormatIBeacon:
		return f.IBeacon.AppendAD(dst)
	case FormatAltBeacon:
		return f.AltBeacon.AppendAD(dst)
	case FormatEddystoneUID:
		return f.UID.AppendAD(dst)
	case FormatEddystoneURL:
		return f.URL.AppendAD(dst)
	case FormatEddystoneTLM:
		return f.TLM.AppendAD(dst)
	case FormatEddystoneETLM:
		return f.ETLM.AppendAD(dst)
	case FormatEddystoneEID:
		return f.EID.AppendAD(dst)
	}
	return dst
}

// Parse finds and decodes the beacon frame in an advertisement, looking at
// every shape it may carry: the raw advertising data, then the scan
// response, then the Manufacturer and Service lists. It returns the first
// beacon frame found. Malformed data anywhere (a truncated AD structure, a
// bad frame) gets a *ParseError even if a good frame was found elsewhere:
// nothing is dropped silently. For errors in the raw data, Offset counts
// from the start of Data, with ScanResponse taken to follow it; for errors
// in a list element it counts within that element's Data. An advertisement
// that is well formed but carries no beacon gets ErrNotBeacon. Parse does
// not allocate unless it returns a *ParseError.
func Parse(adv *Advertisement) (Frame, error) {
	var f Frame
	err := f.parseAdvertisement(adv)
	return f, err
}

func (f *Frame) parseAdvertisement(adv *Advertisement) error {
	f.Format = FormatUnknown
	if len(adv.Data) > 0 {
		if err := f.parseAD(adv.Data, 0); err != nil && err != ErrNotBeacon {
			return err
		}
	}
	if len(adv.ScanResponse) > 0 {
		if err := f.parseAD(adv.ScanResponse, len(adv.Data)); err != nil && err != ErrNotBeacon {
			return err
		}
	}
	for _, m := range adv.Manufacturer {
		if err := f.parseManufacturer(m.CompanyID, m.Data, 0); err != nil && err != ErrNotBeacon {
			return err
		}
	}
	for _, s := range adv.Service {
		if err := f.parseService(s.UUID, s.Data, 0); err != nil && err != ErrNotBeacon {
			return err
		}
	}
	if f.Format == FormatUnknown {
		return ErrNotBeacon
	}
	return nil
}

// ParseAD decodes the beacon frame in raw advertising data (a sequence of
// AD structures, as HCI reports, tinygo's Bytes() and go-ble's Data()
// deliver). It walks every structure and rejects a structure that runs
// past the input (ErrTruncated, FormatAD) or a malformed beacon payload;
// offsets count from the start of data. If several beacon payloads are
// present the first is returned and the others are validated. Well-formed
// data without a beacon gets ErrNotBeacon. It does not allocate unless it
// returns a *ParseError.
func ParseAD(data []byte) (Frame, error) {
	var f Frame
	err := f.parseAD(data, 0)
	return f, err
}

// parseAD fills f from data unless f already holds a frame, in which case
// further payloads are only validated. On error f is zeroed. It is the
// hot path of gateways, so it walks the structures inline rather than
// through ADReader (which implements the same rules).
func (f *Frame) parseAD(data []byte, base int) error {
	end := len(data)
	for off := 0; off < end; {
		n := int(data[off])
		if n == 0 {
			for _, c := range data[off+1:] {
				if c != 0 {
					f.Container |= WarnTrailingData
					break
				}
			}
			break
		}
		next := off + 1 + n
		if next > end {
			*f = Frame{}
			return perr(FormatAD, base+end, ErrTruncated)
		}
		d := data[off+2 : next]
		p := base + off + 2
		var err error
		switch data[off+1] {
		case ADManufacturerData:
			if len(d) < 2 {
				err = perr(FormatManufacturerData, p+len(d), ErrTruncated)
			} else {
				err = f.parseManufacturer(le16(d), d[2:], p+2)
			}
		case ADServiceData16:
			if len(d) < 2 {
				err = perr(FormatServiceData, p+len(d), ErrTruncated)
			} else if le16(d) == EddystoneServiceUUID {
				err = f.parseServiceEddystone(d[2:], p+2)
			}
		case ADServiceData32:
			if len(d) < 4 {
				err = perr(FormatServiceData, p+len(d), ErrTruncated)
			} else if le16(d) == EddystoneServiceUUID && le16(d[2:]) == 0 {
				err = f.parseServiceEddystone(d[4:], p+4)
			}
		case ADServiceData128:
			if len(d) < 16 {
				err = perr(FormatServiceData, p+len(d), ErrTruncated)
			} else {
				err = f.parseService(UUIDFromLE([16]byte(d)), d[16:], p+16)
			}
		}
		if err != nil && err != ErrNotBeacon {
			*f = Frame{}
			return err
		}
		off = next
	}
	if f.Format == FormatUnknown {
		f.Container = 0
		return ErrNotBeacon
	}
	return nil
}

// ParseManufacturerData decodes manufacturer data that starts with the
// two-byte little-endian company id (go-ble, paypal/gatt, noble). It
// recognises iBeacon (Apple, type 0x02) and AltBeacon (code 0xBEAC, any
// company). Other payloads, including Apple's non-iBeacon types, get
// ErrNotBeacon; malformed iBeacon or AltBeacon data gets a *ParseError.
// It does not allocate unless it returns a *ParseError.
func ParseManufacturerData(data []byte) (Frame, error) {
	if len(data) < 2 {
		return Frame{}, perr(FormatManufacturerData, len(data), ErrTruncated)
	}
	var f Frame
	err := f.parseManufacturer(le16(data), data[2:], 2)
	return f, err
}

// ParseManufacturerDataKeyed is ParseManufacturerData for stacks that key
// manufacturer data by company id (tinygo, BlueZ, Android): data excludes
// the company id, and offsets count within data.
func ParseManufacturerDataKeyed(companyID uint16, data []byte) (Frame, error) {
	var f Frame
	err := f.parseManufacturer(companyID, data, 0)
	return f, err
}

// parseManufacturer decodes into f if f is empty, else only validates.
func (f *Frame) parseManufacturer(company uint16, p []byte, base int) error {
	switch {
	case company == AppleCompanyID && len(p) > 0 && p[0] == iBeaconType:
		if f.Format != FormatUnknown {
			_, err := parseIBeacon(p, base) // validate only
			return err
		}
		if err := f.IBeacon.parse(p, base); err != nil {
			return err
		}
		f.Format = FormatIBeacon
		return nil
	case len(p) >= 2 && p[0] == altBeaconCode0 && p[1] == altBeaconCode1:
		if f.Format != FormatUnknown {
			_, err := parseAltBeacon(company, p, base)
			return err
		}
		if err := f.AltBeacon.parse(company, p, base); err != nil {
			return err
		}
		f.Format = FormatAltBeacon
		return nil
	}
	return ErrNotBeacon
}

// ParseServiceData decodes service data keyed by UUID (tinygo, BlueZ,
// Android, noble): Eddystone for UUID 0xFEAA (see ParseEddystone), and
// ErrNotBeacon for any other UUID. Offsets count within data.
func ParseServiceData(uuid UUID, data []byte) (Frame, error) {
	var f Frame
	err := f.parseService(uuid, data, 0)
	return f, err
}

func (f *Frame) parseService(uuid UUID, p []byte, base int) error {
	if v, ok := uuid.Short(); !ok || v != EddystoneServiceUUID {
		return ErrNotBeacon
	}
	return f.parseServiceEddystone(p, base)
}

func (f *Frame) parseServiceEddystone(p []byte, base int) error {
	if f.Format != FormatUnknown {
		var scratch Frame
		return scratch.parseEddystone(p, base)
	}
	return f.parseEddystone(p, base)
}
