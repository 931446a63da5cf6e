package plan

import (
	"errors"
	"regexp"
	"strconv"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// IgluMetaSchema is the $schema of every Snowplow self-describing JSON
// Schema.
const IgluMetaSchema = "http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#"

var (
	schemaVer  = regexp.MustCompile(`^[1-9][0-9]*-(0|[1-9][0-9]*)-(0|[1-9][0-9]*)$`)
	igluVendor = regexp.MustCompile(`^[a-zA-Z0-9_.-]+$`)
)

// FromIglu loads Snowplow/Iglu self-describing JSON Schemas, one document
// per schema: {"$schema": IgluMetaSchema, "self": {"vendor", "name",
// "format": "jsonschema", "version": "1-0-0"}, "type": "object",
// "properties": {...}, "required": [...], "additionalProperties": false}.
// Each becomes a track Event named self.name whose Properties are the
// schema's properties; Event.Schema is the Iglu URI
// (iglu:vendor/name/jsonschema/version) and Event.Version the SchemaVer
// MODEL, so 1-0-0 and 2-0-0 of one name are two versions. Two documents
// with the same name and MODEL are an *ImportError. Rename events in the
// returned Spec before Compile if your track names differ from the Iglu
// names. Unsupported constructs are *UnsupportedError, shape errors
// *ImportError, both with Format "iglu".
func FromIglu(docs ...[]byte) (Spec, error) {
	const format = "iglu"
	var spec Spec
	seen := map[string]string{}
	for i, data := range docs {
		doc, err := decodeJSON(data)
		if err != nil {
			return Spec{}, &ImportError{Format: format, Path: "docs[" + strconv.Itoa(i) + "]", Err: err}
		}
		top, ok := doc.(map[string]any)
		if !ok {
			return Spec{}, &ImportError{Format: format, Path: "docs[" + strconv.Itoa(i) + "]", Err: errors.New("a schema is a JSON object")}
		}
		if s, _ := top["$schema"].(string); s != IgluMetaSchema {
			return Spec{}, &ImportError{Format: format, Path: "$schema", Err: errors.New("want the self-describing meta-schema " + IgluMetaSchema + ", got " + strconv.Quote(s))}
		}
		self, ok := top["self"].(map[string]any)
		if !ok {
			return Spec{}, &ImportError{Format: format, Path: "self", Err: errors.New("missing self {vendor, name, format, version}")}
		}
		field := func(k string) string { s, _ := self[k].(string); return s }
		vendor, name, form, ver := field("vendor"), field("name"), field("format"), field("version")
		switch {
		case !igluVendor.MatchString(vendor):
			return Spec{}, &ImportError{Format: format, Event: name, Path: "self.vendor", Err: errors.New("vendor " + strconv.Quote(vendor) + " is not a reverse domain name")}
		case !igluVendor.MatchString(name):
			return Spec{}, &ImportError{Format: format, Event: name, Path: "self.name", Err: errors.New("name " + strconv.Quote(name) + " is empty or has characters Iglu does not allow")}
		case form != "jsonschema":
			return Spec{}, &ImportError{Format: format, Event: name, Path: "self.format", Err: errors.New("format " + strconv.Quote(form) + " is not jsonschema")}
		case !schemaVer.MatchString(ver):
			return Spec{}, &ImportError{Format: format, Event: name, Path: "self.version", Err: errors.New("version " + strconv.Quote(ver) + " is not a SchemaVer MODEL-REVISION-ADDITION")}
		}
		model, _ := version(ver)
		uri := "iglu:" + vendor + "/" + name + "/jsonschema/" + ver
		key := name + "#" + strconv.Itoa(model)
		if prev, dup := seen[key]; dup {
			return Spec{}, &ImportError{Format: format, Event: name, Path: "self", Err: errors.New(uri + " and " + prev + " would both be version " + strconv.Itoa(model) + " of event " + strconv.Quote(name))}
		}
		seen[key] = uri
		e := Event{Name: name, Type: connected.TypeTrack, Version: model, Schema: uri}
		e.Description, _ = top["description"].(string)
		c := conv{format: format, event: name}
		o, err := c.object(top, "")
		if err != nil {
			return Spec{}, err
		}
		e.Properties = o
		spec.Events = append(spec.Events, e)
	}
	return spec, nil
}
