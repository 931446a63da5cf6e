package wearable

// PLXMeasurementStatus is the Measurement Status field of the pulse-oximeter
// measurements. Bits 0-4 are reserved.
type PLXMeasurementStatus uint16

// Measurement Status bits.
const (
	PLXMeasurementOngoing       PLXMeasurementStatus = 1 << 5
	PLXEarlyEstimatedData       PLXMeasurementStatus = 1 << 6
	PLXValidatedData            PLXMeasurementStatus = 1 << 7
	PLXFullyQualifiedData       PLXMeasurementStatus = 1 << 8
	PLXDataFromStorage          PLXMeasurementStatus = 1 << 9
	PLXDataForDemonstration     PLXMeasurementStatus = 1 << 10
	PLXDataForTesting           PLXMeasurementStatus = 1 << 11
	PLXCalibrationOngoing       PLXMeasurementStatus = 1 << 12
	PLXMeasurementUnavailable   PLXMeasurementStatus = 1 << 13
	PLXQuestionableMeasurement  PLXMeasurementStatus = 1 << 14
	PLXInvalidMeasurement       PLXMeasurementStatus = 1 << 15
	plxMeasurementStatusReserve PLXMeasurementStatus = 0x001F
)

// PLXDeviceStatus is the 24-bit Device and Sensor Status field. Bits 16-23
// are reserved.
type PLXDeviceStatus uint32

// Device and Sensor Status bits.
const (
	PLXExtendedDisplayUpdateOngoing PLXDeviceStatus = 1 << 0
	PLXEquipmentMalfunction         PLXDeviceStatus = 1 << 1
	PLXSignalProcessingIrregularity PLXDeviceStatus = 1 << 2
	PLXInadequateSignal             PLXDeviceStatus = 1 << 3
	PLXPoorSignal                   PLXDeviceStatus = 1 << 4
	PLXLowPerfusion                 PLXDeviceStatus = 1 << 5
	PLXErraticSignal                PLXDeviceStatus = 1 << 6
	PLXNonpulsatileSignal           PLXDeviceStatus = 1 << 7
	PLXQuestionablePulse            PLXDeviceStatus = 1 << 8
	PLXSignalAnalysisOngoing        PLXDeviceStatus = 1 << 9
	PLXSensorInterference           PLXDeviceStatus = 1 << 10
	PLXSensorUnconnected            PLXDeviceStatus = 1 << 11
	PLXUnknownSensor                PLXDeviceStatus = 1 << 12
	PLXSensorDisplaced              PLXDeviceStatus = 1 << 13
	PLXSensorMalfunction            PLXDeviceStatus = 1 << 14
	PLXSensorDisconnected           PLXDeviceStatus = 1 << 15
	plxDeviceStatusReserved         PLXDeviceStatus = 0xFF0000
)

// Unreliable reports whether the status marks the reading as not to be
// trusted (unavailable, questionable or invalid, or demonstration/testing
// data).
func (s PLXMeasurementStatus) Unreliable() bool {
	return s&(PLXMeasurementUnavailable|PLXQuestionableMeasurement|PLXInvalidMeasurement|
		PLXDataForDemonstration|PLXDataForTesting) != 0
}

// Fault reports whether the device status reports an equipment or sensor
// problem that invalidates readings.
func (s PLXDeviceStatus) Fault() bool {
	return s&(PLXEquipmentMalfunction|PLXSensorUnconnected|PLXSensorDisplaced|
		PLXSensorMalfunction|PLXSensorDisconnected|PLXUnknownSensor) != 0
}

func readUint24(b []byte) uint32 { return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 }

func appendUint24(b []byte, v uint32) []byte { return append(b, byte(v), byte(v>>8), byte(v>>16)) }
