-- The file id of the latest trend chart shared with a person, so the App Home can show it as an
-- image (an image block's slack_file). Deleted with the person.
ALTER TABLE people ADD COLUMN chart_file_id TEXT;
