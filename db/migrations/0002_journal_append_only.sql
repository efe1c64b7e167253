-- The journal is append-only: a posted entry is corrected by a reversing entry, never edited or deleted.
CREATE TRIGGER journal_entries_no_update BEFORE UPDATE ON journal_entries
BEGIN
  SELECT RAISE(ABORT, 'journal_entries is append-only: post a reversing entry instead');
END;
--> statement-breakpoint
CREATE TRIGGER journal_entries_no_delete BEFORE DELETE ON journal_entries
BEGIN
  SELECT RAISE(ABORT, 'journal_entries is append-only: post a reversing entry instead');
END;
--> statement-breakpoint
CREATE TRIGGER journal_lines_no_update BEFORE UPDATE ON journal_lines
BEGIN
  SELECT RAISE(ABORT, 'journal_lines is append-only: post a reversing entry instead');
END;
--> statement-breakpoint
CREATE TRIGGER journal_lines_no_delete BEFORE DELETE ON journal_lines
BEGIN
  SELECT RAISE(ABORT, 'journal_lines is append-only: post a reversing entry instead');
END;
--> statement-breakpoint
CREATE TRIGGER period_closes_no_update BEFORE UPDATE ON period_closes
BEGIN
  SELECT RAISE(ABORT, 'period_closes is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER period_closes_no_delete BEFORE DELETE ON period_closes
BEGIN
  SELECT RAISE(ABORT, 'period_closes is append-only');
END;
