-- Each distinct set of terms the loans were made on gets an id (in the order loans first used them), and every loan
-- points at its own, in the loans' report index too: the arrears list finds the terms of thousands of loans by a number
-- rather than by each loan's 600 bytes of text.
CREATE TABLE `loan_terms` (
	`id` integer PRIMARY KEY NOT NULL,
	`terms` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `loan_terms_terms_unique` ON `loan_terms` (`terms`);--> statement-breakpoint
DROP INDEX `loans_report_idx`;--> statement-breakpoint
ALTER TABLE `loans` ADD `terms_id` integer REFERENCES loan_terms(id);--> statement-breakpoint
INSERT INTO `loan_terms` (`terms`) SELECT `terms` FROM `loans` GROUP BY `terms` ORDER BY min(rowid);--> statement-breakpoint
UPDATE `loans` SET `terms_id` = (SELECT t.id FROM `loan_terms` AS t WHERE t.terms = loans.terms);--> statement-breakpoint
-- A loan written without it (by a version of the service from before it) takes its terms' id, its terms added when new
-- (not by OR IGNORE, which the conflict clause of the statement writing the loan would override).
CREATE TRIGGER loans_terms_kept AFTER INSERT ON loans WHEN NEW.terms_id IS NULL
BEGIN
  INSERT INTO loan_terms (terms) SELECT NEW.terms WHERE NOT EXISTS (SELECT 1 FROM loan_terms WHERE terms = NEW.terms);
  UPDATE loans SET terms_id = (SELECT id FROM loan_terms WHERE terms = NEW.terms) WHERE rowid = NEW.rowid;
END;--> statement-breakpoint
CREATE INDEX `loans_report_idx` ON `loans` (`id`,`reschedule_count`,`group_id`,`status`,`closed_on`,`written_off_on`,`terms_id`);
