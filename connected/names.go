package connected

// Segment e-commerce v2 event names (spec/ecommerce/v2). Use them as
// Event.Event on track events so that every Segment-compatible destination
// recognises them.
const (
	EventProductsSearched         = "Products Searched"
	EventProductListViewed        = "Product List Viewed"
	EventProductListFiltered      = "Product List Filtered"
	EventPromotionViewed          = "Promotion Viewed"
	EventPromotionClicked         = "Promotion Clicked"
	EventProductClicked           = "Product Clicked"
	EventProductViewed            = "Product Viewed"
	EventProductAdded             = "Product Added"
	EventProductRemoved           = "Product Removed"
	EventCartViewed               = "Cart Viewed"
	EventCheckoutStarted          = "Checkout Started"
	EventCheckoutStepViewed       = "Checkout Step Viewed"
	EventCheckoutStepCompleted    = "Checkout Step Completed"
	EventPaymentInfoEntered       = "Payment Info Entered"
	EventOrderCompleted           = "Order Completed"
	EventOrderUpdated             = "Order Updated"
	EventOrderRefunded            = "Order Refunded"
	EventOrderCancelled           = "Order Cancelled"
	EventCouponEntered            = "Coupon Entered"
	EventCouponApplied            = "Coupon Applied"
	EventCouponDenied             = "Coupon Denied"
	EventCouponRemoved            = "Coupon Removed"
	EventProductAddedToWishlist   = "Product Added to Wishlist"
	EventProductRemovedFromWish   = "Product Removed from Wishlist"
	EventWishlistProductAddedCart = "Wishlist Product Added to Cart"
	EventProductShared            = "Product Shared"
	EventCartShared               = "Cart Shared"
	EventProductReviewed          = "Product Reviewed"
)

// The physical-world vocabulary used by Touchpoint's adapters (beacon,
// wearable, vehicle and store systems). They are track event names.
const (
	// EventZoneEntered: a subject entered a zone (beacon.Tracker).
	EventZoneEntered = "Zone Entered"
	// EventZoneDwelled: a subject has stayed in a zone for the dwell time.
	EventZoneDwelled = "Zone Dwelled"
	// EventZoneExited: a subject left a zone; dwell time is a property.
	EventZoneExited = "Zone Exited"
	// EventDeviceConnected: a wearable or other device connected.
	EventDeviceConnected = "Device Connected"
	// EventDeviceDisconnected: a wearable or other device disconnected.
	EventDeviceDisconnected = "Device Disconnected"
	// EventWorkoutCompleted: a workout ended (health category).
	EventWorkoutCompleted = "Workout Completed"
	// EventMeasurementRecorded: a body or fitness measurement (health category).
	EventMeasurementRecorded = "Measurement Recorded"
	// EventBatteryLow: a device battery fell below its threshold.
	EventBatteryLow = "Battery Low"
	// EventVehicleApproaching: a connected car is on its way, with an ETA.
	EventVehicleApproaching = "Vehicle Approaching"
	// EventVehicleArrived: a connected car arrived at a place.
	EventVehicleArrived = "Vehicle Arrived"
	// EventKioskSessionStarted: someone started using a shared store kiosk.
	EventKioskSessionStarted = "Kiosk Session Started"
	// EventOfferTriggered: a personalised offer was triggered by a touchpoint.
	EventOfferTriggered = "Offer Triggered"
	// EventConsentUpdated: a subject granted or withdrew consent.
	EventConsentUpdated = "Consent Updated"
	// EventIdentityLinked: an identity-link fact (identity.EncodeLinkFact),
	// a record of category identity that describes a change of the
	// identity graph, for another gateway's graph to replay. Consent
	// routers offer these only to destinations that ask for them
	// (consent.Destination.LinkFacts).
	EventIdentityLinked = "Identity Linked"
)
