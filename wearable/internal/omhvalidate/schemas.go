package omhvalidate

// One validator per covered schema, transcribed from openmhealth/schemas
// (schema/omh/*.json at the commit of the sample documents).

var header = fields{
	required: []string{"id", "creation_date_time", "schema_id"},
	props: map[string]validator{
		"id":                 str,
		"creation_date_time": dateTime,
		"schema_id": fields{
			required: []string{"namespace", "name", "version"},
			props:    map[string]validator{"namespace": str, "name": str, "version": str},
		}.check,
		"acquisition_provenance": fields{
			required: []string{"source_name"},
			props: map[string]validator{
				"source_name":                        str,
				"source_data_point_id":               str,
				"source_creation_date_time":          dateTime,
				"source_last_modification_date_time": dateTime,
				"modality":                           enum("sensed", "self-reported"),
			},
		}.check,
		"user_id": str,
	},
}.check

var dataPoint = fields{
	required: []string{"header", "body"},
	props: map[string]validator{
		"header": header,
		"body":   func(path string, v any) error { _, err := object(path, v); return err },
	},
}.check

var heartRate = fields{
	required: []string{"heart_rate", "effective_time_frame"},
	props: map[string]validator{
		"heart_rate":                                 unitValue("beats/min"),
		"effective_time_frame":                       omhTimeFrame,
		"descriptive_statistic":                      descriptiveStatistic,
		"temporal_relationship_to_physical_activity": toPhysicalActivity,
		"temporal_relationship_to_sleep":             toSleep,
	},
}.check

var rrInterval = fields{
	required: []string{"rr_interval"},
	props: map[string]validator{
		"rr_interval":                                unitValue("ms"),
		"effective_time_frame":                       omhTimeFrame,
		"descriptive_statistic":                      descriptiveStatistic,
		"temporal_relationship_to_physical_activity": toPhysicalActivity,
	},
}.check

var caloriesBurned = fields{
	required: []string{"kcal_burned", "effective_time_frame"},
	props: map[string]validator{
		"kcal_burned":           unitValue("kcal"),
		"activity_name":         str,
		"effective_time_frame":  intervalOnly(omhTimeFrame),
		"descriptive_statistic": descriptiveStatistic,
	},
}.check

var speed = fields{
	required: []string{"speed"},
	props: map[string]validator{
		"speed":                 unitValue("m/s", "km/h", "mph"),
		"effective_time_frame":  omhTimeFrame,
		"descriptive_statistic": descriptiveStatistic,
	},
}.check

var stepCount = fields{
	required: []string{"step_count", "effective_time_frame"},
	props: map[string]validator{
		"step_count":                        unitValue("steps"),
		"effective_time_frame":              intervalOnly(omhTimeFrame),
		"descriptive_statistic":             descriptiveStatistic,
		"descriptive_statistic_denominator": str,
	},
}.check

var physicalActivity = fields{
	required: []string{"activity_name"},
	props: map[string]validator{
		"activity_name":               str,
		"effective_time_frame":        omhTimeFrame,
		"distance":                    unitValue("fm", "pm", "nm", "um", "mm", "cm", "m", "km", "in", "ft", "yd", "mi"),
		"kcal_burned":                 unitValue("kcal"),
		"reported_activity_intensity": enum("light", "moderate", "vigorous"),
		"met_value":                   number,
	},
}.check

var bodyTemperature = fields{
	required: []string{"body_temperature", "effective_time_frame"},
	props: map[string]validator{
		"body_temperature":      unitValue("K", "F", "C"),
		"effective_time_frame":  ieeeTimeFrame,
		"descriptive_statistic": descriptiveStatistic,
		"measurement_location": enum("axillary", "finger", "forehead", "oral", "rectal", "temporal artery",
			"toe", "tympanic", "wrist", "vagina"),
		"temporal_relationship_to_sleep": toSleep,
	},
}.check

var bloodPressure = fields{
	required: []string{"systolic_blood_pressure", "diastolic_blood_pressure", "effective_time_frame"},
	props: map[string]validator{
		"systolic_blood_pressure":                    unitValue("mmHg"),
		"diastolic_blood_pressure":                   unitValue("mmHg"),
		"effective_time_frame":                       ieeeTimeFrame,
		"body_posture":                               bodyPosture,
		"descriptive_statistic":                      descriptiveStatistic,
		"measurement_location":                       bodyLocation,
		"temporal_relationship_to_physical_activity": toPhysicalActivity,
	},
}.check

var bodyWeight = fields{
	required: []string{"body_weight", "effective_time_frame"},
	props: map[string]validator{
		"body_weight":           unitValue("fg", "pg", "ng", "ug", "mg", "g", "kg", "Metric Ton", "gr", "oz", "lb", "Ton"),
		"effective_time_frame":  ieeeTimeFrame,
		"descriptive_statistic": descriptiveStatistic,
	},
}.check

var oxygenSaturation = fields{
	required: []string{"oxygen_saturation", "effective_time_frame"},
	props: map[string]validator{
		"oxygen_saturation":                     unitValue("%"),
		"system":                                enum("peripheral capillary"),
		"supplemental_oxygen_flow_rate":         unitValue("L/min"),
		"oxygen_therapy_mode_of_administration": enum("nasal cannula"),
		"measurement_method":                    enum("pulse oximetry"),
		"effective_time_frame":                  omhTimeFrame,
		"descriptive_statistic":                 descriptiveStatistic,
	},
}.check
