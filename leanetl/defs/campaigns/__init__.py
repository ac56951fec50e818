"""Campaigns: MongoDB campaigns -> Facebook ads insights -> (only when they changed) reach map on
GCS, stats, expenditures and contributor canvases in MongoDB -> dashboard."""
