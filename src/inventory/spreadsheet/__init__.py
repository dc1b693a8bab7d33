"""Channels in spreadsheets: the social media audit sheets companies already keep, read
into records (`reading`) and written from the inventory (`writing`), under the column
headers both share (`columns`)."""
