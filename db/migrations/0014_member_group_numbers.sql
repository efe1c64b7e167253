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
-- Through each row's loan, whose member and group a timeline row copies: a row made before timelines carried them
-- (migration 0005 left their ids blank until the read models were rebuilt) is numbered as well.
UPDATE `loan_timeline_segments` SET
  `member_number` = coalesce((SELECT m.number FROM loans AS l JOIN members AS m ON m.id = l.member_id WHERE l.id = loan_timeline_segments.loan_id), 0),
  `group_number` = coalesce((SELECT g.number FROM loans AS l JOIN groups AS g ON g.id = l.group_id WHERE l.id = loan_timeline_segments.loan_id), 0);--> statement-breakpoint
-- A row written without its numbers (by a version of the service from before them) takes them from its ids.
CREATE TRIGGER loan_timeline_numbered AFTER INSERT ON loan_timeline_segments WHEN NEW.member_number = 0 OR NEW.group_number = 0
BEGIN
  UPDATE loan_timeline_segments SET
    member_number = coalesce((SELECT number FROM members WHERE id = NEW.member_id), 0),
    group_number = coalesce((SELECT number FROM groups WHERE id = NEW.group_id), 0)
  WHERE rowid = NEW.rowid;
END;--> statement-breakpoint
CREATE INDEX `loan_timeline_as_of_idx` ON `loan_timeline_segments` (`to_day`,`from_day`,`loan_id`,`member_id`,`group_id`,`principal_outstanding`,`principal_paid`,`overdue_principal`,`overdue_interest`,`oldest_unpaid_due_day`,`closed`,`written_off`,`reschedule_count`,`principal_fallen_due`,`member_number`,`group_number`);--> statement-breakpoint
CREATE INDEX `loan_timeline_long_idx` ON `loan_timeline_segments` (`to_day`,`from_day`,`loan_id`,`member_id`,`group_id`,`principal_outstanding`,`principal_paid`,`overdue_principal`,`overdue_interest`,`oldest_unpaid_due_day`,`closed`,`written_off`,`reschedule_count`,`principal_fallen_due`,`member_number`,`group_number`) WHERE "loan_timeline_segments"."to_day" - "loan_timeline_segments"."from_day" > 62 AND "loan_timeline_segments"."to_day" < 99999999;
