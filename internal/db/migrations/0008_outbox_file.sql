-- file_id is the id Slack gave an upload's file (files.getUploadURLExternal), recorded before the
-- upload is completed, so that a retry after an unknown outcome can look for a message carrying
-- that file instead of putting anything into the file's name.
ALTER TABLE outbox ADD COLUMN file_id TEXT;
