package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/pos"
	"github.com/touchpoint-sdk/touchpoint/vehicle"
)

var webhookDecode = &command{
	name: "webhook decode", args: "<payload>", nargs: [2]int{1, 1},
	summary: "decode a Stripe, Square or Smartcar webhook body, and the event it becomes",
	details: `Decodes one webhook body ("-": standard input) as the adapters do: a Stripe
Event (a charge or a PaymentIntent) or a Square payment or order
notification (package pos), or a Smartcar VEHICLE_STATE / VEHICLE_ERROR
delivery (package vehicle). --format auto (the default) tells them apart by
their top-level keys. Verify the webhook's signature before trusting a body;
this command does not.

For a payment, prints what was decoded and the Segment message Touchpoint
emits for it ("Order Completed", channel pos, identifiers in
context.externalIds as keyed pseudonyms), or why it emits none (a payment
not completed, an order notification). For a Smartcar delivery, prints the
vehicle and its signals (position, odometer, charge, ...); a vehicle becomes
trip events only through a vehicle.Tracker with the stores' places.

A body that does not decode is reported with the JSON path of the field and
the reason, and exits 1. Customer, loyalty, card and vehicle identifiers
are shown as pseudonyms unless --reveal (the emitted event keeps its
pseudonyms: --reveal never puts them in the clear there).`,
	define: func(fs *flag.FlagSet) func(*call, []string) error {
		format := fs.String("format", "auto", "body format: auto, stripe, square or smartcar")
		user := fs.String("user-id", "", "the userId to give the emitted event (default: none; anonymousId from the strongest identifier)")
		return func(c *call, args []string) error { return runWebhookDecode(c, args[0], *format, *user) }
	},
}

// maxWebhookBytes bounds a body: the platforms send kilobytes.
const maxWebhookBytes = 1 << 20

type paymentView struct {
	ID          string  `json:"id"`
	ChargeID    string  `json:"chargeId,omitempty"`
	OrderID     string  `json:"orderId,omitempty"`
	StoreID     string  `json:"storeId,omitempty"`
	Status      string  `json:"status"`
	Completed   bool    `json:"completed"`
	Amount      float64 `json:"amount"`
	Currency    string  `json:"currency"`
	Time        string  `json:"time,omitempty"`
	Method      string  `json:"method,omitempty"`
	CardBrand   string  `json:"cardBrand,omitempty"`
	EntryMethod string  `json:"entryMethod,omitempty"`
}

type signalView struct {
	Code   string `json:"code"`
	Status string `json:"status,omitempty"`
	Value  string `json:"value,omitempty"`
	At     string `json:"at,omitempty"`
}

type webhookView struct {
	Format  string          `json:"format"`
	Type    string          `json:"type"`
	EventID string          `json:"eventId,omitempty"`
	Payment *paymentView    `json:"payment,omitempty"`
	Order   string          `json:"orderState,omitempty"`
	Event   json.RawMessage `json:"event,omitempty"`
	NoEvent string          `json:"noEvent,omitempty"`

	Vehicle string       `json:"vehicle,omitempty"`
	Make    string       `json:"make,omitempty"`
	Signals []signalView `json:"signals,omitempty"`
	Errors  []string     `json:"errors,omitempty"`
}

func runWebhookDecode(c *call, input, format, userID string) error {
	body, err := c.readInput(input, maxWebhookBytes)
	if err != nil {
		return err
	}
	if format == "auto" {
		if format = detectWebhook(body); format == "" {
			return fmt.Errorf("%s: not a Stripe, Square or Smartcar body I can recognise: give --format", input)
		}
	}
	var v webhookView
	switch format {
	case "stripe", "square":
		decode := pos.DecodeStripe
		if format == "square" {
			decode = pos.DecodeSquare
		}
		n, err := decode(body)
		if err != nil {
			return err
		}
		v = c.names.paymentOf(&n, userID)
	case "smartcar":
		e, err := vehicle.DecodeSmartcar(body)
		if err != nil {
			return err
		}
		v = c.names.smartcarOf(&e)
	default:
		return usagef("--format %q: want auto, stripe, square or smartcar", format)
	}
	if c.json {
		return writeJSON(c.stdout, v)
	}
	return v.write(c.stdout)
}

// detectWebhook tells the bodies apart by their top-level keys.
func detectWebhook(b []byte) string {
	var top map[string]json.RawMessage
	if json.Unmarshal(b, &top) != nil {
		return ""
	}
	switch {
	case top["eventType"] != nil:
		return "smartcar"
	case top["merchant_id"] != nil:
		return "square"
	case string(bytes.TrimSpace(top["object"])) == `"event"`:
		return "stripe"
	}
	return ""
}

func (n namer) paymentOf(no *pos.Notification, userID string) webhookView {
	v := webhookView{Format: no.Format, Type: no.Type, EventID: no.EventID}
	if no.Kind == pos.KindOrder {
		v.Order = no.Order.State
	} else {
		p := &no.Payment
		v.Payment = &paymentView{ID: p.ID, ChargeID: p.ChargeID, OrderID: p.OrderID, StoreID: p.LocationID, Status: p.Status,
			Completed: p.Completed, Amount: p.Amount.Decimal(), Currency: p.Amount.Currency, Method: p.Method,
			CardBrand: p.CardBrand, EntryMethod: p.EntryMethod}
		if !p.Time.IsZero() {
			v.Payment.Time = p.Time.UTC().Format(time.RFC3339Nano)
		}
	}
	e, err := no.Event(pos.Options{Pseudonymizer: n.p, UserID: userID})
	if err == nil {
		var b []byte
		if b, err = connected.AppendSegment(nil, &e); err == nil {
			v.Event = b
		}
	}
	if err != nil {
		v.NoEvent = err.Error()
	}
	return v
}

func (n namer) smartcarOf(e *vehicle.SmartcarEvent) webhookView {
	v := webhookView{Format: "smartcar", Type: string(e.Type), EventID: e.EventID, Vehicle: n.id(e.VehicleID)}
	if e.Vehicle.Make != "" {
		v.Make = fmt.Sprintf("%s %s %d", e.Vehicle.Make, e.Vehicle.Model, e.Vehicle.Year)
	}
	for i := range e.Signals {
		s := &e.Signals[i]
		sv := signalView{Code: s.Code, Status: s.Status}
		switch {
		case s.HasLocation:
			sv.Value = strconv.FormatFloat(s.Latitude, 'f', -1, 64) + "," + strconv.FormatFloat(s.Longitude, 'f', -1, 64)
		case s.HasValue:
			sv.Value = strconv.FormatFloat(s.Value, 'f', -1, 64) + " " + s.Unit
		case s.HasBool:
			sv.Value = strconv.FormatBool(s.Bool)
		case s.Text != "":
			sv.Value = s.Text
		case s.ErrorCode != "":
			sv.Value = s.ErrorType + " " + s.ErrorCode
		}
		if !s.OEMUpdatedAt.IsZero() {
			sv.At = s.OEMUpdatedAt.UTC().Format(time.RFC3339Nano)
		}
		v.Signals = append(v.Signals, sv)
	}
	for _, er := range e.Errors {
		v.Errors = append(v.Errors, er.Type+" "+er.Code+" "+er.State)
	}
	return v
}

func (v webhookView) write(w io.Writer) error {
	fmt.Fprintf(w, "%s %s", v.Format, v.Type)
	if v.EventID != "" {
		fmt.Fprintf(w, " (event %s)", v.EventID)
	}
	fmt.Fprintln(w)
	if p := v.Payment; p != nil {
		fmt.Fprintf(w, "payment %s: %s, completed %t, %.2f %s", p.ID, p.Status, p.Completed, p.Amount, p.Currency)
		if how := strings.Join(slices.DeleteFunc([]string{p.Method, p.CardBrand, p.EntryMethod}, func(s string) bool { return s == "" }), " "); how != "" {
			fmt.Fprintf(w, ", %s", how)
		}
		fmt.Fprintln(w)
		for _, kv := range [][2]string{{"charge", p.ChargeID}, {"order", p.OrderID}, {"store", p.StoreID}, {"time", p.Time}} {
			if kv[1] != "" {
				fmt.Fprintf(w, "  %-6s %s\n", kv[0], kv[1])
			}
		}
	}
	if v.Order != "" {
		fmt.Fprintf(w, "order state %s\n", v.Order)
	}
	if v.Vehicle != "" {
		fmt.Fprintf(w, "vehicle %s", v.Vehicle)
		if v.Make != "" {
			fmt.Fprintf(w, " (%s)", v.Make)
		}
		fmt.Fprintln(w)
	}
	for _, s := range v.Signals {
		line := "  " + s.Code
		if s.Status != "" {
			line += " [" + s.Status + "]"
		}
		if s.Value != "" {
			line += ": " + s.Value
		}
		if s.At != "" {
			line += " at " + s.At
		}
		fmt.Fprintln(w, line)
	}
	for _, e := range v.Errors {
		fmt.Fprintf(w, "  error %s\n", e)
	}
	switch {
	case v.Event != nil:
		var out bytes.Buffer
		if err := json.Indent(&out, v.Event, "", "  "); err != nil {
			return err
		}
		fmt.Fprintf(w, "emits:\n%s\n", out.Bytes())
	case v.NoEvent != "":
		fmt.Fprintf(w, "emits nothing: %s\n", v.NoEvent)
	}
	return nil
}
