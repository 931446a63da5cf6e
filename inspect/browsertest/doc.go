// Package browsertest drives the inspector (package inspect) in headless
// Chromium: every page loads without a console error, and an event tracked
// after the events page opened appears on it. It is a module of its own so
// that chromedp never enters the core module's go.mod; it has tests only.
//
// The tests look for Chromium at $TOUCHPOINT_CHROMIUM, then for chromium,
// chromium-browser and google-chrome on $PATH, and skip, saying so, when
// there is none (.ci/chromium.sh installs Debian's chromium). When
// $TOUCHPOINT_INSPECT_SHOTS names a directory, the screenshots are copied
// there as inspect-*.png.
package browsertest
