CREATE TABLE `loan_timeline_segments` (
	`loan_id` text NOT NULL,
	`from_day` integer NOT NULL,
	`to_day` integer NOT NULL,
	`version` integer NOT NULL,
	`principal_outstanding` integer NOT NULL,
	`principal_paid` integer NOT NULL,
	`interest_paid` integer NOT NULL,
	`overdue_principal` integer NOT NULL,
	`overdue_interest` integer NOT NULL,
	`oldest_unpaid_due_day` integer,
	`credit` integer NOT NULL,
	`closed` integer NOT NULL,
	`written_off` integer NOT NULL,
	`principal_written_off` integer NOT NULL,
	`reschedule_count` integer NOT NULL,
	`accrual` text NOT NULL,
	FOREIGN KEY (`loan_id`) REFERENCES `loans`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `loan_timeline_to_idx` ON `loan_timeline_segments` (`to_day`,`from_day`);--> statement-breakpoint
CREATE INDEX `loan_timeline_loan_idx` ON `loan_timeline_segments` (`loan_id`,`from_day`);--> statement-breakpoint
CREATE TABLE `plans` (
	`id` text PRIMARY KEY NOT NULL,
	`area_id` text,
	`period_start` text NOT NULL,
	`period_end` text NOT NULL,
	`metric` text NOT NULL,
	`target` integer NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`area_id`) REFERENCES `areas`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `plans_unique` ON `plans` (`area_id`,`period_start`,`period_end`,`metric`);--> statement-breakpoint
CREATE TABLE `provision_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`as_of` text NOT NULL,
	`required` integer NOT NULL,
	`previous_balance` integer NOT NULL,
	`journal_entry_id` text,
	`run_by` text NOT NULL,
	`run_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `repayment_allocation_lines` (
	`transaction_id` text NOT NULL,
	`loan_id` text NOT NULL,
	`installment_number` integer NOT NULL,
	`paid_on` text NOT NULL,
	`principal` integer NOT NULL,
	`interest` integer NOT NULL,
	FOREIGN KEY (`transaction_id`) REFERENCES `loan_transactions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `repayment_allocation_lines_installment_idx` ON `repayment_allocation_lines` (`loan_id`,`installment_number`);--> statement-breakpoint
CREATE INDEX `repayment_allocation_lines_transaction_idx` ON `repayment_allocation_lines` (`transaction_id`);