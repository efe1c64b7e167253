CREATE TABLE `accounts` (
	`code` text PRIMARY KEY NOT NULL,
	`name_vi` text NOT NULL,
	`name_en` text NOT NULL,
	`type` text NOT NULL,
	`normal_side` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `collection_sheets` (
	`id` text PRIMARY KEY NOT NULL,
	`group_id` text NOT NULL,
	`meeting_on` text NOT NULL,
	`cash_total` integer NOT NULL,
	`posted_by` text NOT NULL,
	`posted_at` text NOT NULL,
	FOREIGN KEY (`group_id`) REFERENCES `groups`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `collection_sheets_group_idx` ON `collection_sheets` (`group_id`,`meeting_on`);--> statement-breakpoint
CREATE TABLE `idempotency_records` (
	`key` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`route` text NOT NULL,
	`request_hash` text NOT NULL,
	`status_code` integer NOT NULL,
	`response_body` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `journal_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`sequence` integer NOT NULL,
	`entry_date` text NOT NULL,
	`posted_at` text NOT NULL,
	`kind` text NOT NULL,
	`description` text NOT NULL,
	`source_type` text NOT NULL,
	`source_id` text NOT NULL,
	`reverses_entry_id` text,
	`posted_by` text NOT NULL,
	`previous_hash` text NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `journal_entries_sequence_unique` ON `journal_entries` (`sequence`);--> statement-breakpoint
CREATE INDEX `journal_entries_date_idx` ON `journal_entries` (`entry_date`);--> statement-breakpoint
CREATE INDEX `journal_entries_source_idx` ON `journal_entries` (`source_type`,`source_id`);--> statement-breakpoint
CREATE TABLE `journal_lines` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`entry_id` text NOT NULL,
	`line_number` integer NOT NULL,
	`account_code` text NOT NULL,
	`debit` integer NOT NULL,
	`credit` integer NOT NULL,
	`member_id` text,
	`loan_id` text,
	FOREIGN KEY (`entry_id`) REFERENCES `journal_entries`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`account_code`) REFERENCES `accounts`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `journal_lines_entry_idx` ON `journal_lines` (`entry_id`);--> statement-breakpoint
CREATE INDEX `journal_lines_account_idx` ON `journal_lines` (`account_code`);--> statement-breakpoint
CREATE TABLE `loan_products` (
	`id` text PRIMARY KEY NOT NULL,
	`code` text NOT NULL,
	`name` text NOT NULL,
	`currency` text NOT NULL,
	`terms` text NOT NULL,
	`status` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `loan_products_code_unique` ON `loan_products` (`code`);--> statement-breakpoint
CREATE TABLE `loan_transactions` (
	`id` text PRIMARY KEY NOT NULL,
	`loan_id` text NOT NULL,
	`member_id` text NOT NULL,
	`type` text NOT NULL,
	`amount` integer NOT NULL,
	`transaction_date` text NOT NULL,
	`note` text,
	`collection_sheet_id` text,
	`recorded_by` text NOT NULL,
	`recorded_at` text NOT NULL,
	FOREIGN KEY (`loan_id`) REFERENCES `loans`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `loan_transactions_loan_idx` ON `loan_transactions` (`loan_id`,`transaction_date`);--> statement-breakpoint
CREATE INDEX `loan_transactions_date_idx` ON `loan_transactions` (`transaction_date`,`type`);--> statement-breakpoint
CREATE TABLE `loans` (
	`id` text PRIMARY KEY NOT NULL,
	`member_id` text NOT NULL,
	`group_id` text NOT NULL,
	`product_id` text NOT NULL,
	`currency` text NOT NULL,
	`principal` integer NOT NULL,
	`installments` integer NOT NULL,
	`terms` text NOT NULL,
	`purpose` text NOT NULL,
	`status` text NOT NULL,
	`applied_on` text NOT NULL,
	`applied_by` text NOT NULL,
	`decided_on` text,
	`decided_by` text,
	`decision_note` text,
	`disbursed_on` text,
	`first_due_on` text,
	`closed_on` text,
	`written_off_on` text,
	`reschedule_count` integer DEFAULT 0 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`group_id`) REFERENCES `groups`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`product_id`) REFERENCES `loan_products`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `loans_member_idx` ON `loans` (`member_id`);--> statement-breakpoint
CREATE INDEX `loans_group_idx` ON `loans` (`group_id`);--> statement-breakpoint
CREATE INDEX `loans_status_idx` ON `loans` (`status`);--> statement-breakpoint
CREATE INDEX `loans_disbursed_on_idx` ON `loans` (`disbursed_on`);--> statement-breakpoint
CREATE TABLE `period_closes` (
	`id` text PRIMARY KEY NOT NULL,
	`through` text NOT NULL,
	`closed_by` text NOT NULL,
	`closed_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `repayment_allocations` (
	`transaction_id` text NOT NULL,
	`version` integer NOT NULL,
	`loan_id` text NOT NULL,
	`principal` integer NOT NULL,
	`interest` integer NOT NULL,
	`penalty` integer NOT NULL,
	`late_interest` integer NOT NULL,
	`credit_added` integer NOT NULL,
	`credit_used` integer NOT NULL,
	`journal_entry_id` text NOT NULL,
	`current` integer NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`transaction_id`, `version`),
	FOREIGN KEY (`transaction_id`) REFERENCES `loan_transactions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `repayment_allocations_loan_idx` ON `repayment_allocations` (`loan_id`,`current`);--> statement-breakpoint
CREATE TABLE `savings_transactions` (
	`id` text PRIMARY KEY NOT NULL,
	`member_id` text NOT NULL,
	`kind` text NOT NULL,
	`type` text NOT NULL,
	`amount` integer NOT NULL,
	`transaction_date` text NOT NULL,
	`loan_id` text,
	`collection_sheet_id` text,
	`journal_entry_id` text NOT NULL,
	`note` text,
	`recorded_by` text NOT NULL,
	`recorded_at` text NOT NULL,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `savings_transactions_member_idx` ON `savings_transactions` (`member_id`,`kind`,`transaction_date`);--> statement-breakpoint
CREATE TABLE `schedule_installments` (
	`loan_id` text NOT NULL,
	`version` integer NOT NULL,
	`number` integer NOT NULL,
	`due_on` text NOT NULL,
	`principal_due` integer NOT NULL,
	`interest_due` integer NOT NULL,
	PRIMARY KEY(`loan_id`, `version`, `number`),
	FOREIGN KEY (`loan_id`) REFERENCES `loans`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `schedule_installments_due_idx` ON `schedule_installments` (`due_on`);--> statement-breakpoint
CREATE TABLE `schedule_versions` (
	`loan_id` text NOT NULL,
	`version` integer NOT NULL,
	`effective_on` text NOT NULL,
	`reason` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`loan_id`, `version`),
	FOREIGN KEY (`loan_id`) REFERENCES `loans`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `transaction_reversals` (
	`transaction_id` text PRIMARY KEY NOT NULL,
	`reason` text NOT NULL,
	`reversed_by` text NOT NULL,
	`reversed_at` text NOT NULL
);
