package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/connected/consent/tcf"
)

var tcfDecode = &command{
	name: "tcf decode", args: "<tc-string>", nargs: [2]int{1, 1},
	summary: "decode an IAB TCF v2.2/2.3 TC string, and what it grants",
	details: `Decodes and validates the TC string strictly (package tcf: every length,
the policy version, vendor ranges, publisher restrictions) and prints its
fields, then the Touchpoint purposes it grants as consent.TCFReader reads them
(for --vendor, or from the purpose signals alone). A string that does not
decode is reported with the segment, field and bit offset, and exits 1.
"-" reads the string from standard input. TC strings carry no identifier of a
person.`,
	define: func(fs *flag.FlagSet) func(*call, []string) error {
		o := &tcfOpts{}
		fs.IntVar(&o.vendor, "vendor", 0, "GVL vendor `id` whose consent is read with the purposes (0: purposes alone)")
		fs.BoolVar(&o.li, "legitimate-interest", false, "accept legitimate interest where TCF v2.2 allows it")
		fs.IntVar(&o.minPolicy, "min-policy-version", 0, "lowest policy version accepted (0: the strict default, 4); lower it for archived strings")
		fs.BoolVar(&o.global, "allow-global-scope", false, "accept TCF v2.0 global-scope strings")
		return func(c *call, args []string) error { return runTCFDecode(c, args[0], o) }
	},
}

type tcfOpts struct {
	vendor, minPolicy int
	li, global        bool
}

type tcfView struct {
	Version               int                `json:"version"`
	Created               string             `json:"created"`
	LastUpdated           string             `json:"lastUpdated"`
	CMPID                 int                `json:"cmpId"`
	CMPVersion            int                `json:"cmpVersion"`
	ConsentScreen         int                `json:"consentScreen"`
	ConsentLanguage       string             `json:"consentLanguage"`
	VendorListVersion     int                `json:"vendorListVersion"`
	PolicyVersion         int                `json:"policyVersion"`
	IsServiceSpecific     bool               `json:"isServiceSpecific"`
	UseNonStandardTexts   bool               `json:"useNonStandardTexts"`
	PurposeOneTreatment   bool               `json:"purposeOneTreatment"`
	PublisherCC           string             `json:"publisherCC"`
	SpecialFeatureOptIns  []int              `json:"specialFeatureOptIns"`
	PurposesConsent       []int              `json:"purposesConsent"`
	PurposesLI            []int              `json:"purposesLITransparency"`
	VendorConsents        vendorsView        `json:"vendorConsents"`
	VendorLI              vendorsView        `json:"vendorLegitimateInterests"`
	PublisherRestrictions []restrictionView  `json:"publisherRestrictions"`
	DisclosedVendors      *vendorsView       `json:"disclosedVendors,omitempty"`
	AllowedVendors        *vendorsView       `json:"allowedVendors,omitempty"`
	Publisher             *publisherView     `json:"publisherTC,omitempty"`
	Touchpoint            touchpointConsents `json:"touchpoint"`
}

type vendorsView struct {
	MaxID  int      `json:"maxId"`
	Count  int      `json:"count"`
	Ranges []string `json:"ranges"` // "1-3", "8"
}

type restrictionView struct {
	Purpose int      `json:"purpose"`
	Type    string   `json:"type"`
	Vendors []string `json:"vendors"`
}

type publisherView struct {
	PurposesConsent       []int `json:"purposesConsent"`
	PurposesLI            []int `json:"purposesLITransparency"`
	NumCustomPurposes     int   `json:"numCustomPurposes"`
	CustomPurposesConsent []int `json:"customPurposesConsent"`
	CustomPurposesLI      []int `json:"customPurposesLITransparency"`
}

// touchpointConsents is what consent.TCFReader reads from the string.
type touchpointConsents struct {
	Vendor  int      `json:"vendor"` // 0: purposes alone
	Granted []string `json:"granted"`
	Refused []string `json:"refused"`
}

func ranges(rs []tcf.Range) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = strconv.Itoa(r.Start)
		if r.End != r.Start {
			out[i] += "-" + strconv.Itoa(r.End)
		}
	}
	return out
}

func vendorsOf(v *tcf.VendorSet) vendorsView {
	return vendorsView{MaxID: v.MaxID, Count: v.Len(), Ranges: ranges(v.Ranges)}
}

func ids(f tcf.Flags) []int {
	if out := f.IDs(); out != nil {
		return out
	}
	return []int{}
}

func runTCFDecode(c *call, s string, o *tcfOpts) error {
	if s == "-" {
		b, err := c.readInput("-", tcf.MaxLength)
		if err != nil {
			return err
		}
		s = strings.TrimSpace(string(b))
	}
	d := tcf.Decoder{MinPolicyVersion: o.minPolicy, AllowGlobalScope: o.global}
	t, err := d.Decode(s)
	if err != nil {
		return err
	}
	reader := consent.TCFReader{Vendor: o.vendor, UseLegitimateInterest: o.li, Decoder: d}
	sigs, err := reader.Signals(t)
	if err != nil {
		return usagef("%v", err)
	}
	v := tcfView{
		Version: t.Version, Created: fmtTime(t.Created), LastUpdated: fmtTime(t.LastUpdated),
		CMPID: t.CMPID, CMPVersion: t.CMPVersion, ConsentScreen: t.ConsentScreen, ConsentLanguage: t.ConsentLanguage,
		VendorListVersion: t.VendorListVersion, PolicyVersion: t.PolicyVersion, IsServiceSpecific: t.IsServiceSpecific,
		UseNonStandardTexts: t.UseNonStandardTexts, PurposeOneTreatment: t.PurposeOneTreatment, PublisherCC: t.PublisherCC,
		SpecialFeatureOptIns: ids(t.SpecialFeatureOptIns), PurposesConsent: ids(t.PurposesConsent), PurposesLI: ids(t.PurposesLITransparency),
		VendorConsents: vendorsOf(&t.VendorConsents), VendorLI: vendorsOf(&t.VendorLegitimateInterests),
		PublisherRestrictions: []restrictionView{},
		Touchpoint:            touchpointConsents{Vendor: o.vendor, Granted: []string{}, Refused: []string{}},
	}
	for _, r := range t.PublisherRestrictions {
		v.PublisherRestrictions = append(v.PublisherRestrictions, restrictionView{Purpose: r.Purpose, Type: r.Type.String(), Vendors: ranges(r.Vendors)})
	}
	if t.DisclosedVendors != nil {
		dv := vendorsOf(t.DisclosedVendors)
		v.DisclosedVendors = &dv
	}
	if t.AllowedVendors != nil {
		av := vendorsOf(t.AllowedVendors)
		v.AllowedVendors = &av
	}
	if p := t.Publisher; p != nil {
		v.Publisher = &publisherView{PurposesConsent: ids(p.PurposesConsent), PurposesLI: ids(p.PurposesLITransparency),
			NumCustomPurposes: p.NumCustomPurposes, CustomPurposesConsent: ids(p.CustomPurposesConsent), CustomPurposesLI: ids(p.CustomPurposesLITransparency)}
	}
	for _, sg := range sigs {
		if sg.Granted {
			v.Touchpoint.Granted = append(v.Touchpoint.Granted, string(sg.Purpose))
		} else {
			v.Touchpoint.Refused = append(v.Touchpoint.Refused, string(sg.Purpose))
		}
	}
	if c.json {
		return writeJSON(c.stdout, v)
	}
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	list := func(xs []int) string {
		if len(xs) == 0 {
			return "none"
		}
		parts := make([]string, len(xs))
		for i, x := range xs {
			parts[i] = strconv.Itoa(x)
		}
		return strings.Join(parts, " ")
	}
	vendors := func(vv vendorsView) string {
		if vv.Count == 0 {
			return fmt.Sprintf("none (max id %d)", vv.MaxID)
		}
		return fmt.Sprintf("%d: %s (max id %d)", vv.Count, strings.Join(vv.Ranges, " "), vv.MaxID)
	}
	rows := [][]string{
		{"version", strconv.Itoa(v.Version)},
		{"created", v.Created},
		{"last updated", v.LastUpdated},
		{"cmp", fmt.Sprintf("id %d, version %d, screen %d, language %s", v.CMPID, v.CMPVersion, v.ConsentScreen, v.ConsentLanguage)},
		{"vendor list", fmt.Sprintf("version %d, policy version %d", v.VendorListVersion, v.PolicyVersion)},
		{"publisher country", v.PublisherCC},
		{"service specific", yes(v.IsServiceSpecific)},
		{"non-standard texts", yes(v.UseNonStandardTexts)},
		{"purpose one treatment", yes(v.PurposeOneTreatment)},
		{"special features", list(v.SpecialFeatureOptIns)},
		{"purposes consent", list(v.PurposesConsent)},
		{"purposes LI", list(v.PurposesLI)},
		{"vendor consents", vendors(v.VendorConsents)},
		{"vendor LI", vendors(v.VendorLI)},
	}
	for _, r := range v.PublisherRestrictions {
		rows = append(rows, []string{"restriction", fmt.Sprintf("purpose %d %s: vendors %s", r.Purpose, r.Type, strings.Join(r.Vendors, " "))})
	}
	if v.DisclosedVendors != nil {
		rows = append(rows, []string{"disclosed vendors", vendors(*v.DisclosedVendors)})
	}
	if v.AllowedVendors != nil {
		rows = append(rows, []string{"allowed vendors", vendors(*v.AllowedVendors)})
	}
	if p := v.Publisher; p != nil {
		rows = append(rows, []string{"publisher purposes", fmt.Sprintf("consent %s; LI %s; %d custom (consent %s; LI %s)",
			list(p.PurposesConsent), list(p.PurposesLI), p.NumCustomPurposes, list(p.CustomPurposesConsent), list(p.CustomPurposesLI))})
	}
	who := "the purposes alone"
	if o.vendor != 0 {
		who = "vendor " + strconv.Itoa(o.vendor)
	}
	rows = append(rows,
		[]string{"touchpoint grants", strings.Join(v.Touchpoint.Granted, " ") + " (for " + who + ")"},
		[]string{"touchpoint refuses", strings.Join(v.Touchpoint.Refused, " ")})
	return table(c.stdout, rows)
}
