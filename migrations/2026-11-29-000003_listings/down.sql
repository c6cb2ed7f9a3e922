DROP TABLE demands;
DROP TABLE supplies;
