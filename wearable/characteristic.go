package wearable

import "fmt"

// Characteristic is a 16-bit Bluetooth SIG GATT characteristic UUID.
type Characteristic uint16

// The characteristics this package decodes and encodes.
const (
	BatteryLevelUUID             Characteristic = 0x2A19 // Battery Level
	TemperatureMeasurementUUID   Characteristic = 0x2A1C // Temperature Measurement (Health Thermometer)
	BloodPressureMeasurementUUID Characteristic = 0x2A35 // Blood Pressure Measurement
	IntermediateCuffPressureUUID Characteristic = 0x2A36 // Intermediate Cuff Pressure
	HeartRateMeasurementUUID     Characteristic = 0x2A37 // Heart Rate Measurement
	BodySensorLocationUUID       Characteristic = 0x2A38 // Body Sensor Location
	RSCMeasurementUUID           Characteristic = 0x2A53 // Running Speed and Cadence Measurement
	CSCMeasurementUUID           Characteristic = 0x2A5B // Cycling Speed and Cadence Measurement
	PLXSpotCheckUUID             Characteristic = 0x2A5E // PLX Spot-check Measurement
	PLXContinuousUUID            Characteristic = 0x2A5F // PLX Continuous Measurement
	CyclingPowerMeasurementUUID  Characteristic = 0x2A63 // Cycling Power Measurement
	WeightMeasurementUUID        Characteristic = 0x2A9D // Weight Measurement
	// DateTimeUUID is the Date Time characteristic; its 7-byte layout is also
	// embedded in the thermometer, blood-pressure, weight and PLX values.
	DateTimeUUID Characteristic = 0x2A08
)

// MaxValueLength is the maximum length of a GATT attribute value in bytes.
const MaxValueLength = 512

// Name returns the characteristic's specification name, or "" when this
// package does not know it.
func (c Characteristic) Name() string {
	switch c {
	case BatteryLevelUUID:
		return "Battery Level"
	case TemperatureMeasurementUUID:
		return "Temperature Measurement"
	case BloodPressureMeasurementUUID:
		return "Blood Pressure Measurement"
	case IntermediateCuffPressureUUID:
		return "Intermediate Cuff Pressure"
	case HeartRateMeasurementUUID:
		return "Heart Rate Measurement"
	case BodySensorLocationUUID:
		return "Body Sensor Location"
	case RSCMeasurementUUID:
		return "RSC Measurement"
	case CSCMeasurementUUID:
		return "CSC Measurement"
	case PLXSpotCheckUUID:
		return "PLX Spot-check Measurement"
	case PLXContinuousUUID:
		return "PLX Continuous Measurement"
	case CyclingPowerMeasurementUUID:
		return "Cycling Power Measurement"
	case WeightMeasurementUUID:
		return "Weight Measurement"
	case DateTimeUUID:
		return "Date Time"
	}
	return ""
}

// String returns "0x2A37 Heart Rate Measurement", or just the hex UUID when
// the name is unknown.
func (c Characteristic) String() string {
	if n := c.Name(); n != "" {
		return fmt.Sprintf("0x%04X %s", uint16(c), n)
	}
	return fmt.Sprintf("0x%04X", uint16(c))
}
