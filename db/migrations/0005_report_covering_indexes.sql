DROP INDEX `loan_timeline_to_idx`;--> statement-breakpoint
ALTER TABLE `loan_timeline_segments` ADD `member_id` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `loan_timeline_segments` ADD `group_id` text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX `loan_timeline_as_of_idx` ON `loan_timeline_segments` (`to_day`,`from_day`,`loan_id`,`member_id`,`group_id`,`principal_outstanding`,`principal_paid`,`overdue_principal`,`overdue_interest`,`oldest_unpaid_due_day`,`closed`,`written_off`,`reschedule_count`,`principal_fallen_due`);--> statement-breakpoint
CREATE INDEX `savings_transactions_balance_idx` ON `savings_transactions` (`transaction_date`,`member_id`,`kind`,`amount`,`id`);