-- Groups and members get whole numbers of their own (the existing rows in the order they were stored, every new one the
-- next by a trigger), and the loans' timelines keep them beside the ids, in the as-of indexes too: a whole-fund report
-- keys fifty thousand loans by number rather than by text.
ALTER TABLE `groups` ADD `number` integer;--> statement-breakpoint
UPDATE `groups` SET `number` = rowid;--> statement-breakpoint
CREATE UNIQUE INDEX `groups_number_unique` ON `groups` (`number`);--> statement-breakpoint
CREATE TRIGGER groups_numbered AFTER INSERT ON groups WHEN NEW.number IS NULL
BEGIN
  UPDATE groups SET number = (SELECT coalesce(max(number), 0) + 1 FROM groups) WHERE rowid = NEW.rowid;
END;--> statement-breakpoint
ALTER TABLE `members` ADD `number` integer;--> statement-breakpoint
UPDATE `members` SET `number` = rowid;--> statement-breakpoint
CREATE UNIQUE INDEX `members_number_unique` ON `members` (`number`);--> statement-breakpoint
CREATE TRIGGER members_numbered AFTER INSERT ON members WHEN NEW.number IS NULL
BEGIN
  UPDATE members SET number = (SELECT coalesce(max(number), 0) + 1 FROM members) WHERE rowid = NEW.rowid;
END;--> statement-breakpoint
DROP INDEX `loan_timeline_as_of_idx`;--> statement-breakpoint
DROP INDEX `loan_timeline_long_idx`;--> statement-breakpoint
ALTER TABLE `loan_timeline_segments` ADD `member_number` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `loan_timeline_segments` ADD `group_number` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
UPDATE `loan_timeline_segments` SET
  `member_number` = (SELECT m.number FROM members AS m WHERE m.id = loan_timeline_segments.member_id),
  `group_number` = (SELECT g.number FROM groups AS g WHERE g.id = loan_timeline_segments.group_id);--> statement-breakpoint
CREATE INDEX `loan_timeline_as_of_idx` ON `loan_timeline_segments` (`to_day`,`from_day`,`loan_id`,`member_id`,`group_id`,`principal_outstanding`,`principal_paid`,`overdue_principal`,`overdue_interest`,`oldest_unpaid_due_day`,`closed`,`written_off`,`reschedule_count`,`principal_fallen_due`,`member_number`,`group_number`);--> statement-breakpoint
CREATE INDEX `loan_timeline_long_idx` ON `loan_timeline_segments` (`to_day`,`from_day`,`loan_id`,`member_id`,`group_id`,`principal_outstanding`,`principal_paid`,`overdue_principal`,`overdue_interest`,`oldest_unpaid_due_day`,`closed`,`written_off`,`reschedule_count`,`principal_fallen_due`,`member_number`,`group_number`) WHERE "loan_timeline_segments"."to_day" - "loan_timeline_segments"."from_day" > 62 AND "loan_timeline_segments"."to_day" < 99999999;
