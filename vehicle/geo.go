package vehicle

import "math"

const (
	deg         = math.Pi / 180
	earthRadius = 6_371_008.8 // mean Earth radius, metres (IUGG)
	mPerDegLat  = earthRadius * deg
)

// distTo returns the distance in metres from (lat, lon) to the place: an
// equirectangular projection about the midpoint latitude, whose cosine is
// expanded to second order around the place's latitude, so no
// trigonometry runs per call. Against the haversine great-circle
// distance the error is below 0.1% within 100 km of a place below 70
// degrees of latitude, and within 50 km up to 85 degrees
// (TestDistanceAccuracy); the Tracker only measures within a place's
// approach radius.
func (p *place) distTo(lat, lon float64) float64 {
	dLat := (lat - p.lat) * deg
	h := dLat / 2
	cosMid := p.cosLat - p.sinLat*h - p.cosLat*h*h/2
	dLon := lon - p.lon
	if dLon > 180 {
		dLon -= 360
	} else if dLon < -180 {
		dLon += 360
	}
	x := dLon * deg * cosMid
	return earthRadius * math.Sqrt(x*x+dLat*dLat)
}

// haversine is the great-circle distance in metres (for tests and rare
// paths).
func haversine(lat1, lon1, lat2, lon2 float64) float64 {
	p1, p2 := lat1*deg, lat2*deg
	dp, dl := p2-p1, (lon2-lon1)*deg
	a := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * earthRadius * math.Asin(math.Min(1, math.Sqrt(a)))
}

// segment returns the distance between two fixes of one vehicle (close
// together), with cosLat the cosine of a latitude near both.
func segment(lat1, lon1, lat2, lon2, cosLat float64) float64 {
	dLon := lon2 - lon1
	if dLon > 180 {
		dLon -= 360
	} else if dLon < -180 {
		dLon += 360
	}
	x := dLon * deg * cosLat
	y := (lat2 - lat1) * deg
	return earthRadius * math.Sqrt(x*x+y*y)
}

// grid is a uniform spatial index over latitude/longitude cells at least
// as large as the largest approach radius, so a vehicle's candidate
// places are the ones listed in its own cell: each place is entered in
// every cell its approach circle's bounding box touches.
type grid struct {
	cellLat, cellLon float64 // degrees
	ncols, lo        int32   // columns around the globe; the column of -180
	cells            map[uint64][]int32
}

func newGrid(places []place) grid {
	g := grid{cells: map[uint64][]int32{}}
	maxR, maxAbsLat := 0.0, 0.0
	for i := range places {
		maxR = max(maxR, places[i].approach)
		maxAbsLat = max(maxAbsLat, math.Abs(places[i].lat))
	}
	if maxR == 0 {
		maxR = 1000
	}
	g.cellLat = maxR / mPerDegLat
	edge := min(89, maxAbsLat+g.cellLat) // the highest latitude a place's circle reaches
	g.cellLon = min(360, maxR/(mPerDegLat*math.Cos(edge*deg)))
	g.ncols = int32(math.Ceil(360 / g.cellLon))
	g.lo = g.col(-180)
	for i := range places {
		p := &places[i]
		rLat := p.approach / mPerDegLat
		rLon := min(180, p.approach/(mPerDegLat*math.Cos(min(89, math.Abs(p.lat)+rLat)*deg)))
		for y := g.row(p.lat - rLat); y <= g.row(p.lat+rLat); y++ {
			for x := g.col(p.lon - rLon); x <= g.col(p.lon+rLon); x++ {
				k := cellKey(y, g.wrap(x))
				if !containsIdx(g.cells[k], int32(i)) {
					g.cells[k] = append(g.cells[k], int32(i))
				}
			}
		}
	}
	return g
}

func (g *grid) row(lat float64) int32 { return int32(math.Floor(lat / g.cellLat)) }
func (g *grid) col(lon float64) int32 { return int32(math.Floor(lon / g.cellLon)) }

// wrap maps a column across the antimeridian.
func (g *grid) wrap(x int32) int32 {
	return g.lo + ((x-g.lo)%g.ncols+g.ncols)%g.ncols
}

func cellKey(y, x int32) uint64 { return uint64(uint32(y))<<32 | uint64(uint32(x)) }

// lookup returns the places whose approach circle may contain (lat, lon).
func (g *grid) lookup(lat, lon float64) []int32 {
	return g.cells[cellKey(g.row(lat), g.wrap(g.col(lon)))]
}

func containsIdx(s []int32, v int32) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
