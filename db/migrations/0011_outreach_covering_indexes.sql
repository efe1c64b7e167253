DROP INDEX `loans_disbursed_on_idx`;--> statement-breakpoint
CREATE INDEX `loans_disbursed_on_idx` ON `loans` (`disbursed_on`,`id`,`member_id`,`group_id`,`principal`);--> statement-breakpoint
DROP INDEX `memberships_member_idx`;--> statement-breakpoint
CREATE INDEX `memberships_member_idx` ON `memberships` (`member_id`,`joined_on`,`id`,`left_on`,`group_id`);--> statement-breakpoint
DROP INDEX `poverty_status_changes_member_idx`;--> statement-breakpoint
CREATE INDEX `poverty_status_changes_member_idx` ON `poverty_status_changes` (`member_id`,`effective_on`,`id`,`status`);