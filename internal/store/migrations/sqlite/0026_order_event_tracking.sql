-- What a courier tells about a parcel, for the order-status messages: the
-- tracking page (shipped) and the rider's number (out for delivery).
ALTER TABLE order_events ADD COLUMN tracking_url TEXT;
ALTER TABLE order_events ADD COLUMN rider_phone TEXT;
