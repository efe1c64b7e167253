DROP INDEX `repayment_allocation_lines_installment_idx`;--> statement-breakpoint
CREATE INDEX `repayment_allocation_lines_installment_covering_idx` ON `repayment_allocation_lines` (`loan_id`,`installment_number`,`paid_on`,`principal`,`interest`);--> statement-breakpoint
DROP INDEX `schedule_installments_due_idx`;--> statement-breakpoint
CREATE INDEX `schedule_installments_due_covering_idx` ON `schedule_installments` (`due_on`,`loan_id`,`version`,`number`,`principal_due`,`interest_due`);--> statement-breakpoint
CREATE INDEX `loans_report_idx` ON `loans` (`id`,`reschedule_count`,`group_id`);