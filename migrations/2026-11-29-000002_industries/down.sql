DROP TABLE industries;
DROP TABLE industry_groups;
