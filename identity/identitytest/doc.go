// Package identitytest checks identity.Store implementations: a store
// kept elsewhere (a database, say: store/pgstore) runs the same scenario
// suite as identity's memory and file stores.
package identitytest
