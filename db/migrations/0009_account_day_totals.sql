CREATE TABLE `account_day_totals` (
	`account_code` text NOT NULL,
	`day` text NOT NULL,
	`debit` integer NOT NULL,
	`credit` integer NOT NULL,
	PRIMARY KEY(`account_code`, `day`)
);
--> statement-breakpoint
INSERT INTO `account_day_totals` (`account_code`, `day`, `debit`, `credit`)
SELECT l.`account_code`, e.`entry_date`, SUM(l.`debit`), SUM(l.`credit`)
FROM `journal_lines` l JOIN `journal_entries` e ON e.`id` = l.`entry_id`
GROUP BY l.`account_code`, e.`entry_date`;
