CREATE TABLE `capital_movements` (
	`id` text PRIMARY KEY NOT NULL,
	`direction` text NOT NULL,
	`amount` integer NOT NULL,
	`moved_on` text NOT NULL,
	`source` text NOT NULL,
	`note` text,
	`journal_entry_id` text NOT NULL,
	`recorded_by` text NOT NULL,
	`recorded_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `capital_movements_moved_on_idx` ON `capital_movements` (`moved_on`,`id`);