DROP INDEX `loans_report_idx`;--> statement-breakpoint
CREATE INDEX `loans_report_idx` ON `loans` (`id`,`reschedule_count`,`group_id`,`status`,`closed_on`,`written_off_on`);