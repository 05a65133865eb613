package web

// MoneyAllForTest lets the black-box tests check the KPI's wording.
var MoneyAllForTest = moneyAll
