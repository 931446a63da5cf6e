// decode.mjs writes the golden files of reference_test.go: it decodes each
// TC string read from standard input with the IAB's reference library and
// prints the input line, a tab and the JSON of the fields the Go tests
// compare, or {"error": "..."}. An input line is a string, or "key<TAB>string".
//
// Development time only; go test and CI do not run it. To regenerate, from
// connected/consent/tcf:
//
//	mkdir -p /tmp/iabref && (cd /tmp/iabref && npm install @iabtechlabtcf/core@1.5.21)
//	cp testdata/reference/decode.mjs /tmp/iabref/
//	go test -run TestReferenceCrafted -reference-inputs /tmp/crafted.txt .
//	node /tmp/iabref/decode.mjs < /tmp/crafted.txt > testdata/reference/crafted.golden
//	grep '^C' ../../../../shared/reference/data/tcf-real-strings.tsv | cut -f1 |
//	  while read -r s; do printf '%s\t%s\n' "$(printf %s "$s" | sha256sum | cut -c1-16)" "$s"; done |
//	  node /tmp/iabref/decode.mjs | cut -f1,3 > testdata/reference/real.golden
import {TCString} from '@iabtechlabtcf/core';
import {createInterface} from 'node:readline';

const ids = (v) => {
  const out = [];
  v.forEach((has, id) => { if (has) out.push(id); });
  return out;
};

const summary = (s) => {
  const m = TCString.decode(s);
  if (m.version !== 2) return {error: `version ${m.version}`};
  const restrictions = m.publisherRestrictions.getRestrictions().map((r) => ({
    purpose: r.purposeId,
    type: r.restrictionType,
    vendors: m.publisherRestrictions.getVendors(r),
  }));
  const out = {
    created: m.created.getTime(),
    lastUpdated: m.lastUpdated.getTime(),
    cmpId: m.cmpId,
    cmpVersion: m.cmpVersion,
    consentScreen: m.consentScreen,
    consentLanguage: m.consentLanguage,
    vendorListVersion: m.vendorListVersion,
    policyVersion: m.policyVersion,
    isServiceSpecific: m.isServiceSpecific,
    useNonStandardTexts: m.useNonStandardTexts,
    specialFeatureOptins: ids(m.specialFeatureOptins),
    purposeConsents: ids(m.purposeConsents),
    purposeLegitimateInterests: ids(m.purposeLegitimateInterests),
    purposeOneTreatment: m.purposeOneTreatment,
    publisherCountryCode: m.publisherCountryCode,
    vendorConsents: ids(m.vendorConsents),
    vendorLegitimateInterests: ids(m.vendorLegitimateInterests),
    restrictions,
  };
  out.vendorsDisclosed = ids(m.vendorsDisclosed);
  out.vendorsAllowed = ids(m.vendorsAllowed);
  out.publisherConsents = ids(m.publisherConsents);
  out.publisherLegitimateInterests = ids(m.publisherLegitimateInterests);
  out.numCustomPurposes = m.numCustomPurposes;
  out.publisherCustomConsents = ids(m.publisherCustomConsents);
  out.publisherCustomLegitimateInterests = ids(m.publisherCustomLegitimateInterests);
  return out;
};

const rl = createInterface({input: process.stdin});
for await (const line of rl) {
  if (!line.trim()) continue;
  const s = line.split('\t').pop().trim();
  let out;
  try {
    out = summary(s);
  } catch (e) {
    out = {error: String(e.message || e)};
  }
  process.stdout.write(line + '\t' + JSON.stringify(out) + '\n');
}
